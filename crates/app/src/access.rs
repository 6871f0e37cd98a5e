//! Getting in (issue 12): sessions that wait for a second factor, setting up a TOTP
//! authenticator (RFC 6238, with `totp-rs`) and its recovery codes, and signing in through
//! the office's OpenID provider. Who needs which factor, and who a provider's sign-in is in
//! Tact, are decided in core ([`tact_core::sign_in`]).

use crate::Found;
use crate::{not_found, token_hash, App, Result, LOCK_MINUTES, MAX_FAILED_SIGN_INS};
use sha2::{Digest, Sha256};
use tact_core::audit::{AuditAction, AuditEvent};
use tact_core::error::RuleError;
use tact_core::ids::StaffId;
use tact_core::model::Staff;
use tact_core::roles::{Actor, Role};
use tact_core::sign_in::{ProviderMatch, SecondFactor};
use tact_store::NewSession;

/// A session's stage once its holder is fully signed in.
pub const SIGNED_IN: &str = "signed-in";
const CODE: &str = "code";
const SET_UP: &str = "set-up";
/// How long a session waits for its second factor before the password must be given again.
pub const PENDING_MINUTES: i64 = 10;
/// How many recovery codes a member of staff is given, each usable once.
pub const RECOVERY_CODES: usize = 10;

/// A session started: its cookie value (only its hash is kept), its form token, who holds
/// it, and what it still needs before its holder is in.
#[derive(Debug, Clone)]
pub struct Started {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
    pub next: SecondFactor,
}

/// A session waiting for a second factor.
#[derive(Debug, Clone)]
pub struct Pending {
    pub actor: Actor,
    pub csrf: String,
    /// [`SecondFactor::Code`] or [`SecondFactor::SetUp`].
    pub next: SecondFactor,
}

/// An authenticator being set up: the secret in base 32 (to type in) and as an
/// `otpauth://` link (to scan).
#[derive(Debug, Clone)]
pub struct SettingUp {
    pub secret: String,
    pub link: String,
}

/// Why a code was refused. The page says one thing for both, as sign-in does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefused {
    Wrong,
    /// Too many codes that were not right: the account is locked and the session ended.
    Locked,
}

/// Who the office's OpenID provider says has signed in, from a verified ID token (and the
/// provider's user-info answer where the token left something out).
#[derive(Debug, Clone)]
pub struct ProviderIdentity {
    pub issuer: String,
    pub subject: String,
    /// The username claim (`preferred_username` unless `tact.toml` says otherwise).
    pub username: String,
    pub name: String,
    pub email: Option<String>,
    /// The values of the groups or app-roles claim.
    pub groups: Vec<String>,
}

fn stage(next: SecondFactor) -> &'static str {
    match next {
        SecondFactor::NotNeeded => SIGNED_IN,
        SecondFactor::Code => CODE,
        SecondFactor::SetUp => SET_UP,
    }
}

fn totp(secret: &[u8], account: &str) -> std::result::Result<totp_rs::Totp, RuleError> {
    totp_rs::Builder::new()
        .with_secret(secret.to_vec())
        .with_issuer(Some("Tact"))
        .with_account_name(account.replace(':', " "))
        .build()
        .map_err(|e| {
            RuleError::invalid("code", format!("the authenticator secret is unusable: {e}"))
        })
}

/// A recovery code as typed: letters and digits only, in lower case, so "ABCDE-12345" and
/// "abcde 12345" are the same code.
fn recovery_hash(code: &str) -> String {
    let plain: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// Ten-character recovery codes in two groups of five, from letters and digits that cannot
/// be mistaken for each other.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let c: String = (0..10)
                .map(|_| ALPHABET[rand::random::<usize>() % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &c[..5], &c[5..])
        })
        .collect()
}

impl App {
    /// Starts a session for `staff` at the stage `next` says; `None` where a password
    /// sign-in finds the account locked meanwhile.
    pub(crate) async fn start_session(
        &self,
        staff: Staff,
        next: SecondFactor,
        id_token: Option<&str>,
        now: jiff::Timestamp,
    ) -> Result<Option<Started>> {
        let token = hex::encode(rand::random::<[u8; 32]>());
        let csrf = hex::encode(rand::random::<[u8; 24]>());
        let expires_at = match next {
            SecondFactor::NotNeeded => now + self.session_limits.absolute,
            _ => now + jiff::SignedDuration::from_mins(PENDING_MINUTES),
        };
        let mut tx = self.begin().await?;
        let started = tx
            .start_session(&NewSession {
                staff: staff.id,
                token_hash: &token_hash(&token),
                csrf: &csrf,
                now,
                expires_at,
                stage: stage(next),
                id_token,
            })
            .await?;
        if !started {
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(Started {
            token,
            csrf,
            actor: Actor::from(staff),
            next,
        }))
    }

    /// The session for a cookie that waits for a second factor (issue 12).
    ///
    /// # Errors
    /// The store's error.
    pub async fn pending(&self, cookie: &str) -> Result<Option<Pending>> {
        let s = self.store.session(&token_hash(cookie), self.now()).await?;
        Ok(s.and_then(|s| {
            let next = match s.stage.as_str() {
                CODE => SecondFactor::Code,
                SET_UP => SecondFactor::SetUp,
                _ => return None,
            };
            Some(Pending {
                actor: Actor::from(s.staff),
                csrf: s.csrf,
                next,
            })
        }))
    }

    /// Whether a member of staff has an authenticator set up, and how many unused recovery
    /// codes they have: `None` where none is set up.
    ///
    /// # Errors
    /// The store's error.
    pub async fn second_factor_status(&self, staff: StaffId) -> Result<Option<i64>> {
        match self.store.second_factor(staff).await? {
            Some(f) if f.confirmed => Ok(Some(self.store.recovery_codes_left(staff).await?)),
            _ => Ok(None),
        }
    }

    /// The members of staff with an authenticator app set up, for the staff list (the door
    /// has checked the reader may see the staff directory).
    ///
    /// # Errors
    /// The store's error.
    pub async fn staff_with_authenticators(&self) -> Result<Vec<StaffId>> {
        Ok(self.store.staff_with_authenticators().await?)
    }

    /// Begins setting up an authenticator for `actor` (issue 12), or goes on with the one
    /// begun and not yet confirmed, so reloading the page does not change the secret.
    ///
    /// # Errors
    /// An authenticator already set up (remove it first); the store's error.
    pub async fn begin_set_up(&self, actor: &Actor) -> Result<SettingUp> {
        let secret = match self.store.second_factor(actor.id).await? {
            Some(f) if f.confirmed => return Err(already_set_up()),
            Some(f) => f.secret,
            None => {
                let secret = rand::random::<[u8; 20]>().to_vec();
                let mut tx = self.begin().await?;
                if !tx
                    .begin_second_factor(actor.id, &secret, self.now())
                    .await?
                {
                    return Err(already_set_up());
                }
                tx.commit().await?;
                secret
            }
        };
        let t = totp(&secret, &actor.name)?;
        Ok(SettingUp {
            secret: t.secret().to_base32(),
            link: t
                .to_url()
                .map_err(|e| RuleError::invalid("code", e.to_string()))?,
        })
    }

    /// Confirms the authenticator `actor` is setting up with a code from it (issue 12), and
    /// gives the recovery codes (shown once; only their hashes are kept). A session waiting
    /// for this set-up is then signed in. A code that is not right counts towards the lock,
    /// as a wrong password does.
    ///
    /// # Errors
    /// Nothing being set up; the store's error.
    pub async fn confirm_set_up(
        &self,
        cookie: &str,
        actor: &Actor,
        code: &str,
    ) -> Result<std::result::Result<Vec<String>, CodeRefused>> {
        let Some(f) = self
            .store
            .second_factor(actor.id)
            .await?
            .filter(|f| !f.confirmed)
        else {
            return Err(RuleError::invalid(
                "code",
                "no authenticator is being set up: start again from the set-up page",
            )
            .into());
        };
        let now = self.now();
        if !self.charge(actor.id, now).await? {
            return self
                .locked_out(cookie)
                .await
                .map(|()| Err(CodeRefused::Locked));
        }
        let step = totp(&f.secret, &actor.name)?.check(code.trim(), unix_seconds(now));
        let Some(step) = step else {
            return self.code_was_wrong(cookie, actor.id, now).await.map(Err);
        };
        let codes = new_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
        let waiting = self.pending(cookie).await?.is_some();
        let mut tx = self.begin().await?;
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        if !tx
            .confirm_second_factor(actor.id, step, &hashes, now)
            .await?
        {
            return Err(
                RuleError::conflict("LOCAL", "the authenticator was set up meanwhile").into(),
            );
        }
        // A session waiting for set-up is now in; one already in stays so.
        if waiting
            && !tx
                .complete_second_factor(
                    actor.id,
                    &token_hash(cookie),
                    now,
                    now + self.session_limits.absolute,
                )
                .await?
        {
            return Ok(Err(CodeRefused::Locked));
        }
        tx.clear_failures(actor.id).await?;
        tx.audit(&[AuditEvent::new(
            now,
            actor.id,
            AuditAction::SecondFactorSetUp,
            format!("staff:{}", actor.id),
        )])
        .await?;
        tx.commit().await?;
        Ok(Ok(codes))
    }

    /// Checks the second factor for a session waiting for one (issue 12): a code from the
    /// authenticator, each accepted once, or an unused recovery code, which is then used up.
    /// Each attempt is counted before it is checked, as passwords are, so however many
    /// arrive at once the account locks after [`MAX_FAILED_SIGN_INS`].
    ///
    /// # Errors
    /// No session waiting for a code; the store's error.
    pub async fn second_factor(
        &self,
        cookie: &str,
        code: &str,
    ) -> Result<std::result::Result<Actor, CodeRefused>> {
        let Some(p) = self
            .pending(cookie)
            .await?
            .filter(|p| p.next == SecondFactor::Code)
        else {
            return Err(RuleError::invalid(
                "code",
                "sign in again: the code was asked for too long ago",
            )
            .into());
        };
        let staff = p.actor.id;
        let now = self.now();
        if !self.charge(staff, now).await? {
            return self
                .locked_out(cookie)
                .await
                .map(|()| Err(CodeRefused::Locked));
        }
        let f = self
            .store
            .second_factor(staff)
            .await?
            .filter(|f| f.confirmed)
            .ok_or_else(|| not_found("code", "no authenticator is set up".into()))?;
        let step = totp(&f.secret, &p.actor.name)?
            .check(code.trim(), unix_seconds(now))
            .map(|s| i64::try_from(s).unwrap_or(i64::MAX));
        let mut tx = self.begin().await?;
        let right = match step {
            Some(step) => tx.use_code_step(staff, step).await?,
            None => {
                tx.use_recovery_code(staff, &recovery_hash(code), now)
                    .await?
            }
        };
        if !right {
            drop(tx);
            return self.code_was_wrong(cookie, staff, now).await.map(Err);
        }
        let recovery = step.is_none();
        if !tx
            .complete_second_factor(
                staff,
                &token_hash(cookie),
                now,
                now + self.session_limits.absolute,
            )
            .await?
        {
            return Ok(Err(CodeRefused::Locked));
        }
        if recovery {
            tx.audit(&[AuditEvent::new(
                now,
                staff,
                AuditAction::RecoveryCodeUsed,
                format!("staff:{staff}"),
            )])
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(p.actor))
    }

    /// Removes a member of staff's authenticator and recovery codes and ends their sessions
    /// (issue 12), under [`tact_core::sign_in::may_remove_second_factor`]: an administrator
    /// for someone who has lost theirs; anyone for themselves where the office does not
    /// require one.
    ///
    /// `by` is `None` for the operator at the server's console (`tact staff
    /// remove-second-factor`).
    ///
    /// # Errors
    /// A refusal; no such member of staff; none set up; the store's error.
    pub async fn remove_second_factor(&self, by: Option<&Actor>, staff: StaffId) -> Result<()> {
        let holder = self.store.staff(staff).await?.found(staff)?;
        if let Some(by) = by {
            tact_core::sign_in::may_remove_second_factor(
                &self.profile,
                by,
                &holder,
                self.second_factor_required,
            )?;
        }
        let mut tx = self.begin().await?;
        if !tx.remove_second_factor(staff).await? {
            return Err(not_found(
                "staff_id",
                format!("{} has no authenticator set up", holder.name),
            ));
        }
        let mut ev = AuditEvent::by_tact(
            self.now(),
            AuditAction::SecondFactorRemoved,
            format!("staff:{staff}"),
        );
        ev.actor = by.map(|a| a.id);
        tx.audit(&[ev]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Signs in someone the office's OpenID provider has signed in (issue 12): the member of
    /// staff linked to their provider identity, else the one with their username (then
    /// linked), else a new member of staff — as [`tact_core::sign_in::match_provider_account`]
    /// decides — with the role their groups map to under `mapping`. The session keeps the
    /// ID token, for signing out at the provider too.
    ///
    /// # Errors
    /// A refusal in words for the sign-in page (no role, not active, another identity's
    /// username, a username Tact cannot use); the store's error.
    pub async fn provider_sign_in(
        &self,
        who: &ProviderIdentity,
        mapping: &[(String, Role)],
        id_token: &str,
    ) -> Result<Started> {
        let external_id = format!("{} {}", who.issuer, who.subject);
        let username = tact_core::sign_in::username(&who.username)?;
        let role = tact_core::sign_in::role_from_claims(mapping, &who.groups);
        let linked = self.store.staff_by_external_id(&external_id).await?;
        let by_username = self
            .store
            .account(&username)
            .await?
            .map(|a| tact_core::sign_in::Known {
                staff: a.staff,
                external_id: a.external_id,
            });
        let found = tact_core::sign_in::match_provider_account(
            role,
            linked.as_ref(),
            by_username.as_ref(),
        )?;
        let now = self.now();
        let mut tx = self.begin().await?;
        let (mut staff, role) = match found.clone() {
            ProviderMatch::Linked { staff, role } => (linked.found(staff)?, role),
            ProviderMatch::Link { role, .. } => {
                let Some(known) = by_username else {
                    return Err(not_found(
                        "username",
                        format!("no member of staff {username:?}"),
                    ));
                };
                (known.staff, role)
            }
            ProviderMatch::Create { role } => {
                let email = who
                    .email
                    .as_deref()
                    .and_then(|e| tact_core::identity::EmailAddress::parse(e).ok());
                let name = if who.name.trim().is_empty() {
                    username.as_str()
                } else {
                    who.name.as_str()
                };
                let s = self
                    .insert_new_staff(&mut tx, None, name, role, email, None, None)
                    .await?;
                (s, role)
            }
        };
        // A first sign-in through the provider links the record to the provider identity.
        if !matches!(found, ProviderMatch::Linked { .. }) {
            tx.link_external_id(staff.id, &external_id, &username)
                .await
                .map_err(|e| crate::taken(e, &username))?;
            tx.audit(&[AuditEvent::by_tact(
                now,
                AuditAction::StaffLinked,
                format!("staff:{}", staff.id),
            )
            .detail("issuer", who.issuer.as_str())])
                .await?;
        }
        if staff.role != role {
            staff.role = role;
            tx.update_staff(&staff).await?;
            tx.audit(&[AuditEvent::by_tact(
                now,
                AuditAction::StaffChanged,
                format!("staff:{}", staff.id),
            )
            .detail("role", role.as_str())
            .detail("by", "the office's OpenID provider")])
                .await?;
        }
        tx.commit().await?;
        self.start_session(staff, SecondFactor::NotNeeded, Some(id_token), now)
            .await?
            .ok_or_else(|| {
                RuleError::conflict("LOCAL", "the session could not start: try again").into()
            })
    }

    /// Counts a sign-in attempt (a password or a code) before it is checked, in a
    /// transaction of its own: false where the account is locked.
    pub(crate) async fn charge(&self, staff: StaffId, now: jiff::Timestamp) -> Result<bool> {
        let mut tx = self.begin().await?;
        let charged = tx.charge_sign_in(staff, now, MAX_FAILED_SIGN_INS).await?;
        tx.commit().await?;
        Ok(charged)
    }

    /// A charged attempt that was not right: the account locks for [`LOCK_MINUTES`] once
    /// [`MAX_FAILED_SIGN_INS`] are counted.
    pub(crate) async fn record_failure(&self, staff: StaffId, now: jiff::Timestamp) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.failed_sign_in(
            staff,
            MAX_FAILED_SIGN_INS,
            now + jiff::SignedDuration::from_mins(LOCK_MINUTES),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A code that was not right: it counts towards the lock; once the account is locked,
    /// the waiting session ends.
    async fn code_was_wrong(
        &self,
        cookie: &str,
        staff: StaffId,
        now: jiff::Timestamp,
    ) -> Result<CodeRefused> {
        self.record_failure(staff, now).await?;
        let locked = self
            .store
            .staff_lock(staff)
            .await?
            .is_some_and(|until| until > now);
        if locked {
            self.locked_out(cookie).await?;
            return Ok(CodeRefused::Locked);
        }
        Ok(CodeRefused::Wrong)
    }

    /// Ends a waiting session whose account is locked: the password must be given again.
    async fn locked_out(&self, cookie: &str) -> Result<()> {
        if self.pending(cookie).await?.is_some() {
            let mut tx = self.begin().await?;
            tx.end_session(&token_hash(cookie)).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

fn unix_seconds(t: jiff::Timestamp) -> u64 {
    u64::try_from(t.as_second()).unwrap_or(0)
}

/// Setting up a second authenticator while one is set up: the state refuses it (409).
fn already_set_up() -> crate::AppError {
    RuleError::state(
        "code",
        "an authenticator is already set up: remove it before setting up another",
    )
    .into()
}
