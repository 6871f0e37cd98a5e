//! Documents made from a letter — PDF, Word, Braille, audio — and the policy as a PDF.
//!
//! Making one takes a core for a while: a PDF a few milliseconds for a page and 60 ms at
//! the longest a letter may be, Braille 10 to 100 ms, a letter read aloud 0.4 s for a page
//! and 16 s of two cores at the longest (`BENCHMARKS.md`, "Making documents"). So they
//! are made off the async threads, and at most `at_once` at a time in a process: a burst
//! of downloads, or a subject access export with many letters, queues for its turn
//! instead of taking every core from the contact check. A download that has
//! waited `wait` for its turn is told Tact is busy (503 with `Retry-After`), and nothing
//! has changed; the outgoing-mail job waits as long as it takes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::{AppError, Result};

/// How many documents a process makes at once, and how long a request waits its turn
/// (`[documents]` in `tact.toml`).
#[derive(Debug, Clone)]
pub struct Makers {
    turns: Arc<Semaphore>,
    at_once: usize,
    wait: Duration,
}

/// Who is waiting for a document: someone at a door, who waits at most the set time, or a
/// job, which waits until its turn comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiter {
    Request,
    Job,
}

impl Default for Makers {
    /// One at a time for every two cores (at least one), since speech takes two (eSpeak
    /// NG and LAME run side by side), leaving the rest to the contact check and the pages;
    /// and twenty seconds' wait.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self::new(cores / 2, Duration::from_secs(20))
    }
}

impl Makers {
    /// `at_once` turns (at least one), and requests waiting at most `wait`.
    #[must_use]
    pub fn new(at_once: usize, wait: Duration) -> Self {
        let at_once = at_once.max(1);
        Self {
            turns: Arc::new(Semaphore::new(at_once)),
            at_once,
            wait,
        }
    }

    /// How many documents may be made at once.
    #[must_use]
    pub fn at_once(&self) -> usize {
        self.at_once
    }

    /// How long a request waits for its turn.
    #[must_use]
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Takes every turn and holds them until the answer is dropped, as a burst of
    /// downloads would: for tests of what the doors say when Tact is busy.
    #[cfg(feature = "testing")]
    pub async fn take_every_turn(&self) -> tokio::sync::OwnedSemaphorePermit {
        let n = u32::try_from(self.at_once).expect("fewer than 2^32 turns");
        self.turns
            .clone()
            .acquire_many_owned(n)
            .await
            .expect("the makers never close")
    }

    /// Makes a document with `make` on a blocking thread once a turn is free.
    ///
    /// # Errors
    /// A request that waited its whole time: busy, saying when to try again. A maker that
    /// panicked: unavailable.
    pub async fn make<T, F>(&self, who: Waiter, make: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let turn = self.turns.clone().acquire_owned();
        let turn = match who {
            Waiter::Job => turn.await,
            Waiter::Request => match tokio::time::timeout(self.wait, turn).await {
                Ok(t) => t,
                Err(_) => {
                    metrics::counter!("tact_documents_busy_total").increment(1);
                    return Err(AppError::Busy {
                        message: "Tact is busy making other documents: nothing was changed, \
                                  try again in a minute"
                            .into(),
                        retry_after: 60,
                    });
                }
            },
        }
        .map_err(|_| AppError::Unavailable("the document makers have stopped".into()))?;
        let made = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let _making = Making::start();
            make()
        })
        .await;
        made.map_err(|e| AppError::Unavailable(format!("the document could not be made: {e}")))
    }
}

/// A document being made, counted in `tact_documents_making` until it is done (or its
/// maker panics).
struct Making(metrics::Gauge);

impl Making {
    fn start() -> Self {
        let g = metrics::gauge!("tact_documents_making");
        g.increment(1.0);
        Self(g)
    }
}

impl Drop for Making {
    fn drop(&mut self) {
        self.0.decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request that finds every turn taken waits its time and is told Tact is busy;
    /// the job behind it waits and is served when a turn comes free.
    #[tokio::test]
    async fn a_request_finds_the_makers_busy_and_a_job_waits_its_turn() {
        let makers = Makers::new(1, Duration::from_millis(50));
        let (started, started_rx) = std::sync::mpsc::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let first = {
            let m = makers.clone();
            tokio::spawn(async move {
                m.make(Waiter::Request, move || {
                    started.send(()).unwrap();
                    release_rx.recv().unwrap();
                    1
                })
                .await
            })
        };
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
            .await
            .unwrap();
        // The one turn is held: a request is refused after its wait, and made nothing.
        let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let r = {
            let ran = ran.clone();
            makers
                .make(Waiter::Request, move || {
                    ran.store(true, std::sync::atomic::Ordering::SeqCst);
                })
                .await
        };
        match r {
            Err(AppError::Busy { retry_after, .. }) => assert_eq!(retry_after, 60),
            other => panic!("expected busy, got {other:?}"),
        }
        assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
        // A job waits past the request's time, and is made once the turn is given back.
        let job = {
            let m = makers.clone();
            tokio::spawn(async move { m.make(Waiter::Job, || 2).await })
        };
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(!job.is_finished(), "the job waits for the turn");
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap().unwrap(), 1);
        assert_eq!(job.await.unwrap().unwrap(), 2);
        // And with the turn free, a request is made at once.
        assert_eq!(makers.make(Waiter::Request, || 3).await.unwrap(), 3);
    }

    #[test]
    fn there_is_always_at_least_one_turn() {
        assert_eq!(Makers::new(0, Duration::ZERO).at_once(), 1);
        assert!(Makers::default().at_once() >= 1);
    }
}
