//! Group commit for contact logging. Contacts arrive far more often than any other write
//! (every call and email), and each must be durable before it is acknowledged. One task
//! takes whatever contacts are waiting, writes them in one transaction — each inside its
//! own savepoint, so a repeated idempotency key fails only its own item — commits once,
//! then answers each caller. Every acknowledged contact is on disk; the disk is asked to
//! sync once per batch instead of once per contact.

use jiff::Timestamp;
use tact_core::audit::AuditEvent;
use tact_core::ids::{ContactId, PersonId, TaskId};
use tact_core::model::{Contact, NewTask};
use tact_store::{Change, Connection, Store, StoreError, WriteTx};
use tokio::sync::{mpsc, oneshot};

/// The most contacts written in one transaction.
const MAX_BATCH: usize = 512;

type Reply = Result<(ContactId, Vec<TaskId>), StoreError>;

/// One contact to write, with what goes with it.
pub struct Entry {
    pub contact: Contact,
    /// The person whose cached view this contact changes (a call counted towards a limit).
    pub touch: Option<PersonId>,
    /// The Idempotency-Key it was sent with, if any.
    pub key: Option<String>,
    pub tasks: Vec<NewTask>,
    pub events: Vec<AuditEvent>,
    pub now: Timestamp,
}

struct Job {
    entry: Entry,
    reply: oneshot::Sender<Reply>,
}

#[derive(Clone)]
pub struct ContactWriter {
    tx: mpsc::Sender<Job>,
}

impl ContactWriter {
    /// Starts the writer task on the current Tokio runtime. `store` should be the store's
    /// own writer ([`Store::writer`]): one connection whose page cache every batch reuses.
    ///
    /// The writer runs on a thread of its own, with a runtime of its own: each of its
    /// statements is an await, and as an ordinary task it waited behind every HTTP
    /// connection's task to be polled again after each one (a batch took 5.2 ms to write in
    /// the server against 1.5 ms alone; issue 10). It stops when every sender is dropped.
    pub fn spawn(store: Store) -> Self {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        match runtime {
            Ok(rt) => {
                let spawned = std::thread::Builder::new()
                    .name("tact-contact-writer".into())
                    .spawn(move || rt.block_on(run(store, rx)));
                if let Err(e) = spawned {
                    tracing::error!(error = %e, "could not start the contact writer's thread");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "no runtime of its own: the contact writer runs as a task");
                tokio::spawn(run(store, rx));
            }
        }
        Self { tx }
    }

    /// Writes one contact with its tasks and audit events, returning once it is committed.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a repeated idempotency key; otherwise the database's error.
    pub async fn write(&self, entry: Entry) -> Reply {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job { entry, reply })
            .await
            .map_err(|_| StoreError::Batch("the contact writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Batch("the contact writer stopped before answering".into()))?
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    use std::sync::atomic::{AtomicU8, Ordering};
    // The checkpoint's state: idle, the bulk copy running beside the writer, or the bulk
    // done and the rest for the writer to finish when no contact is coming.
    const IDLE: u8 = 0;
    const BULK: u8 = 1;
    const FINISH: u8 = 2;
    let state = std::sync::Arc::new(AtomicU8::new(IDLE));
    let mut last_checkpoint = std::time::Instant::now();
    // The writer keeps its connection from one batch to the next (one returned to the
    // pool is pinged on the way, and the next batch waited for that).
    let mut held: Option<Connection> = None;
    loop {
        // Copying the rest stalls the writer (about 100 ms under full load: the frames
        // committed during the bulk copy, and a sync of the database file), so it waits
        // until no contact has come for QUIET. Under unbroken load the WAL grows until then.
        let next = if state.load(Ordering::Acquire) == FINISH {
            match tokio::time::timeout(QUIET, rx.recv()).await {
                Ok(next) => next,
                Err(_) => {
                    let t = std::time::Instant::now();
                    // The checkpoint runs on the writer's one connection.
                    held = None;
                    if let Err(e) = store.checkpoint_here().await {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                    tracing::debug!(
                        us = t.elapsed().as_micros() as u64,
                        "WAL checkpoint finished"
                    );
                    state.store(IDLE, Ordering::Release);
                    continue;
                }
            }
        } else {
            rx.recv().await
        };
        let Some(first) = next else { break };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        metrics::histogram!("tact_contact_writer_batch_size").record(batch.len() as f64);
        metrics::gauge!("tact_contact_writer_queue").set(rx.len() as f64);
        held = write_batch(store.clone(), held, batch).await;
        // The writer's connection does not checkpoint the WAL in its commits (that would
        // stall every caller waiting on the batch behind a write of the whole WAL into
        // the database file): another connection copies the bulk beside it, at most once
        // in CHECKPOINT_EVERY, and the writer copies the frames committed meanwhile when
        // it is quiet, so that the WAL starts again from the beginning.
        if state.load(Ordering::Acquire) == IDLE && last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            last_checkpoint = std::time::Instant::now();
            state.store(BULK, Ordering::Release);
            let (store, state) = (store.clone(), state.clone());
            tokio::spawn(async move {
                let next = match store.checkpoint().await {
                    Ok(()) => FINISH,
                    Err(e) => {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                        IDLE
                    }
                };
                state.store(next, Ordering::Release);
            });
        }
    }
}

/// How long no contact must come before the writer finishes a checkpoint itself.
const QUIET: std::time::Duration = std::time::Duration::from_millis(50);

/// How often the WAL is checkpointed while contacts are being written.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

// Boxed with an explicit `Send` bound: without it the compiler cannot prove the spawned
// writer future is `Send` across sqlx's higher-ranked executor lifetimes.
fn write_one<'a>(tx: &'a mut WriteTx, job: &'a Job) -> BoxFuture<'a, Reply> {
    Box::pin(async move {
        let id = tx
            .insert_contact(&job.entry.contact, job.entry.key.as_deref())
            .await?;
        if let Some(p) = job.entry.touch {
            tx.note_change(Change::Person(p));
        }
        let subject = format!("contact:{id}");
        let task_ids = if job.entry.tasks.is_empty() {
            Vec::new()
        } else {
            tx.tasks_about(&job.entry.tasks, &subject, job.entry.now)
                .await?
        };
        Ok((id, task_ids))
    })
}

/// The batch's events, each naming the contact it is about, appended to the event log in
/// one go (one read and one update of the log's head for the whole batch).
fn named_events(job: &Job, id: ContactId) -> impl Iterator<Item = AuditEvent> + '_ {
    let subject = format!("contact:{id}");
    job.entry.events.iter().cloned().map(move |mut e| {
        if e.subject.ends_with(":new") {
            e.subject = subject.clone();
        }
        e
    })
}

/// Answers every caller in a batch that was not written with the reason.
fn fail(replies: impl IntoIterator<Item = oneshot::Sender<Reply>>, msg: &str) {
    for reply in replies {
        let _ = reply.send(Err(StoreError::Batch(msg.to_string())));
    }
}

/// Writes a batch of contacts that carry nothing else as one commit (most calls and
/// emails: no restriction touched, no task, no event).
async fn write_alone(
    store: &Store,
    held: Option<Connection>,
    batch: Vec<Job>,
) -> Option<Connection> {
    let started = std::time::Instant::now();
    let mut conn = match held {
        Some(conn) => conn,
        None => match store.connection().await {
            Ok(conn) => conn,
            Err(e) => {
                fail(batch.into_iter().map(|j| j.reply), &e.to_string());
                return None;
            }
        },
    };
    let contacts: Vec<&Contact> = batch.iter().map(|j| &j.entry.contact).collect();
    let written = store.insert_contacts_alone(&mut conn, &contacts).await;
    tracing::debug!(
        size = batch.len(),
        us = started.elapsed().as_micros() as u64,
        "contact batch, one statement"
    );
    match written {
        Ok(ids) => {
            for (job, id) in batch.into_iter().zip(ids) {
                let _ = job.reply.send(Ok((id, Vec::new())));
            }
            Some(conn)
        }
        Err(e) => {
            fail(batch.into_iter().map(|j| j.reply), &e.to_string());
            None
        }
    }
}

/// Writes one batch on `held` (or a connection from the store's pool), and gives the
/// connection back for the next batch if the batch committed.
fn write_batch(
    store: Store,
    held: Option<Connection>,
    batch: Vec<Job>,
) -> BoxFuture<'static, Option<Connection>> {
    Box::pin(async move {
        let started = std::time::Instant::now();
        let size = batch.len();
        let alone = batch.iter().all(|j| {
            j.entry.key.is_none()
                && j.entry.touch.is_none()
                && j.entry.tasks.is_empty()
                && j.entry.events.is_empty()
        });
        if alone {
            return write_alone(&store, held, batch).await;
        }
        let begun = match held {
            Some(conn) => store.begin_on(conn).await,
            None => store.begin().await,
        };
        let mut tx = match begun {
            Ok(tx) => tx,
            Err(e) => {
                fail(batch.into_iter().map(|j| j.reply), &e.to_string());
                return None;
            }
        };
        let mut results: Vec<(oneshot::Sender<Reply>, Reply)> = Vec::with_capacity(batch.len());
        let mut events: Vec<AuditEvent> = Vec::new();
        let mut broken: Option<String> = None;
        // Contacts without an idempotency key cannot fail on their own: they go in
        // together, in as few statements as the database allows.
        let began = started.elapsed();
        let (plain, keyed): (Vec<Job>, Vec<Job>) =
            batch.into_iter().partition(|j| j.entry.key.is_none());
        if !plain.is_empty() {
            let contacts: Vec<&Contact> = plain.iter().map(|j| &j.entry.contact).collect();
            match tx.insert_contacts(&contacts).await {
                Ok(ids) => {
                    for (job, id) in plain.into_iter().zip(ids) {
                        if broken.is_some() {
                            results.push((
                                job.reply,
                                Err(StoreError::Batch("the batch failed".into())),
                            ));
                            continue;
                        }
                        if let Some(p) = job.entry.touch {
                            tx.note_change(Change::Person(p));
                        }
                        let tasks = if job.entry.tasks.is_empty() {
                            Ok(Vec::new())
                        } else {
                            tx.tasks_about(
                                &job.entry.tasks,
                                &format!("contact:{id}"),
                                job.entry.now,
                            )
                            .await
                        };
                        match tasks {
                            Ok(task_ids) => {
                                events.extend(named_events(&job, id));
                                results.push((job.reply, Ok((id, task_ids))));
                            }
                            Err(e) => {
                                broken = Some(e.to_string());
                                results.push((job.reply, Err(e)));
                            }
                        }
                    }
                }
                Err(e) => {
                    broken = Some(e.to_string());
                    for job in plain {
                        results.push((job.reply, Err(StoreError::Batch(e.to_string()))));
                    }
                }
            }
        }
        for job in keyed {
            if let Some(msg) = &broken {
                let _ = job.reply.send(Err(StoreError::Batch(msg.clone())));
                continue;
            }
            // Only a repeated idempotency key is an expected failure of one item; it needs a
            // savepoint to undo just that item. Any other failure breaks the whole batch.
            let guarded = job.entry.key.is_some();
            if guarded {
                if let Err(e) = tx.savepoint().await {
                    broken = Some(e.to_string());
                    let _ = job.reply.send(Err(e));
                    continue;
                }
            }
            let r = write_one(&mut tx, &job).await;
            let step = match (&r, guarded) {
                (Ok(_), true) => tx.release_savepoint().await,
                (Err(_), true) => tx.rollback_to_savepoint().await,
                (Ok(_), false) => Ok(()),
                (Err(e), false) => Err(StoreError::Batch(e.to_string())),
            };
            if let Err(e) = step {
                broken = Some(e.to_string());
            }
            if let Ok((id, _)) = &r {
                events.extend(named_events(&job, *id));
            }
            results.push((job.reply, r));
        }
        let inserted = started.elapsed();
        if broken.is_none() {
            if let Err(e) = tx.audit(&events).await {
                broken = Some(e.to_string());
            }
        }
        if let Some(msg) = broken {
            fail(results.into_iter().map(|(reply, _)| reply), &msg);
            return None;
        }
        let written = started.elapsed();
        let committed = tx.commit_keeping().await;
        tracing::debug!(
            size,
            begin_us = began.as_micros() as u64,
            insert_us = (inserted - began).as_micros() as u64,
            write_us = written.as_micros() as u64,
            commit_us = (started.elapsed() - written).as_micros() as u64,
            "contact batch"
        );
        match committed {
            Ok(conn) => {
                for (reply, r) in results {
                    let _ = reply.send(r);
                }
                Some(conn)
            }
            Err(e) => {
                fail(results.into_iter().map(|(reply, _)| reply), &e.to_string());
                None
            }
        }
    })
}

/// The access log, written off the request's path (issue 5): a view that shows a person's
/// restrictions must not wait for the disk. Entries are queued and written in batches; a
/// reader of the log asks for a flush first, so it always sees every view made before it.
/// A crash can lose the entries queued in the last moment before it (the batch in hand).
#[derive(Clone)]
pub struct AccessWriter {
    tx: mpsc::UnboundedSender<AccessJob>,
}

enum AccessJob {
    Entry(tact_core::model::Access),
    Flush(oneshot::Sender<Result<(), StoreError>>),
}

impl AccessWriter {
    /// Starts the writer task on the current Tokio runtime.
    pub fn spawn(store: Store) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run_access(store, rx));
        Self { tx }
    }

    /// Queues one entry. If the writer has stopped, writes it here and now instead.
    ///
    /// # Errors
    /// Only when the writer has stopped and the direct write fails.
    pub async fn log(&self, store: &Store, a: tact_core::model::Access) -> Result<(), StoreError> {
        match self.tx.send(AccessJob::Entry(a)) {
            Ok(()) => Ok(()),
            Err(mpsc::error::SendError(AccessJob::Entry(a))) => {
                let mut tx = store.begin().await?;
                tx.log_access(&a).await?;
                tx.commit().await
            }
            Err(_) => Ok(()),
        }
    }

    /// Waits until every entry queued before this call is written.
    ///
    /// # Errors
    /// The database's error from the batch that held them.
    pub async fn flush(&self) -> Result<(), StoreError> {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(AccessJob::Flush(reply)).is_err() {
            return Ok(());
        }
        rx.await.unwrap_or(Ok(()))
    }
}

async fn run_access(store: Store, mut rx: mpsc::UnboundedReceiver<AccessJob>) {
    while let Some(first) = rx.recv().await {
        let mut entries = Vec::new();
        let mut waiting = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                AccessJob::Entry(a) => entries.push(a),
                AccessJob::Flush(r) => waiting.push(r),
            }
            if entries.len() < MAX_BATCH {
                next = rx.try_recv().ok();
            }
        }
        let result = write_access(&store, &entries).await;
        if let Err(e) = &result {
            tracing::warn!(error = %e, lost = entries.len(), "access log batch failed");
        }
        for w in waiting {
            let _ = w.send(match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(StoreError::Batch(e.to_string())),
            });
        }
    }
}

async fn write_access(
    store: &Store,
    entries: &[tact_core::model::Access],
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    for a in entries {
        tx.log_access(a).await?;
    }
    tx.commit().await
}
