//! The data folder: `tact.toml` (which profile, which database, where to listen), the
//! profile itself (`profile.toml`, a copy taken at `tact init`), and, for SQLite, the
//! database file. Settings come in layers: defaults, then `tact.toml`, then `TACT_*`
//! environment variables and command-line flags.

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use tact_core::profile::Profile;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub profile: String,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    #[serde(default)]
    pub demo: bool,
    /// IMAP mailboxes that `tact serve` polls (and `tact mail poll` polls once).
    #[serde(default, rename = "mailbox")]
    pub mailboxes: Vec<MailboxConfig>,
    /// Seconds between polls while serving.
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// Where outbound email goes; without it, emails wait in the queue.
    #[serde(default)]
    pub smtp: Option<SmtpConfig>,
    /// Rate limits; each unset one keeps its default.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// How long a web session lasts.
    #[serde(default)]
    pub sessions: SessionsConfig,
    /// Whether password sign-ins need a second factor.
    #[serde(default)]
    pub sign_in: SignInConfig,
    /// Single sign-on through the office's OpenID provider.
    #[serde(default)]
    pub sso: Option<SsoConfig>,
    /// How many documents (PDF, Word, Braille, audio) are made at once.
    #[serde(default)]
    pub documents: DocumentsConfig,
}

/// `[documents]` in `tact.toml`: `at_once` documents made at a time (one for every two
/// cores unless set; 0 is refused as the file is read), and `wait_seconds` a download waits
/// for its turn before it is told Tact is busy (20 unless set). See `tact_app::makers`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsConfig {
    pub at_once: Option<std::num::NonZeroU16>,
    pub wait_seconds: Option<u32>,
}

impl DocumentsConfig {
    /// The makers: each setting from `tact.toml` where set, else its default.
    #[must_use]
    pub fn makers(&self) -> tact_app::makers::Makers {
        let d = tact_app::makers::Makers::default();
        tact_app::makers::Makers::new(
            self.at_once.map_or(d.at_once(), |n| usize::from(n.get())),
            self.wait_seconds
                .map_or(d.wait(), |s| std::time::Duration::from_secs(u64::from(s))),
        )
    }
}

/// `[sign_in]` in `tact.toml` (issue 12): `second_factor = "required"` makes every password
/// sign-in need a code from an authenticator app (set up at the next sign-in where there is
/// none); `"optional"`, the default, lets each member of staff choose.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInConfig {
    #[serde(default)]
    pub second_factor: SecondFactorSetting,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecondFactorSetting {
    #[default]
    Optional,
    Required,
}

/// `[sso]` in `tact.toml` (issue 12): the office's OpenID provider. README: "Single
/// sign-on".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoConfig {
    /// The issuer URL (for Entra ID, `https://login.microsoftonline.com/{tenant}/v2.0`).
    pub issuer: String,
    pub client_id: String,
    /// The client secret; `TACT_SSO_CLIENT_SECRET` overrides it, so it need not be in the
    /// file.
    pub client_secret: Option<String>,
    /// Where staff reach Tact, e.g. `https://tact.example.gov.uk`.
    pub public_url: String,
    /// The provider's name on the sign-in button.
    pub label: Option<String>,
    /// Scopes beyond `openid` (default `profile` and `email`).
    pub scopes: Option<Vec<String>>,
    /// The claim that is the username (default `preferred_username`).
    pub username_claim: Option<String>,
    /// The claim holding groups or app roles (default `roles`).
    pub groups_claim: Option<String>,
    /// Whether staff may still sign in with a Tact password (default true).
    pub passwords: Option<bool>,
    /// Claim values mapped to Tact roles, most particular first: `[[sso.role]]` tables with
    /// `claim` and `role`.
    #[serde(default, rename = "role")]
    pub roles: Vec<RoleMapping>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleMapping {
    /// A value of the groups claim (a group's object id, or an app role's value).
    pub claim: String,
    /// The Tact role it gives.
    pub role: String,
}

impl SsoConfig {
    /// The checked settings.
    ///
    /// # Errors
    /// A URL that is not one, an unknown role, or no role mapped at all.
    pub fn settings(&self) -> Result<tact_web::sso::Settings> {
        for (name, url) in [("issuer", &self.issuer), ("public_url", &self.public_url)] {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                bail!("[sso] {name} must be an http(s) URL, not {url:?}");
            }
        }
        if self.roles.is_empty() {
            bail!("[sso] maps no claim to a role: add [[sso.role]] tables (claim = \"…\", role = \"caseworker\"), or nobody can sign in");
        }
        let roles = self
            .roles
            .iter()
            .map(|m| {
                tact_core::roles::Role::parse(&m.role)
                    .map(|r| (m.claim.clone(), r))
                    .map_err(|e| anyhow::anyhow!("[sso.role] {}", e.message))
            })
            .collect::<Result<Vec<_>>>()?;
        let secret = std::env::var("TACT_SSO_CLIENT_SECRET")
            .ok()
            .or_else(|| self.client_secret.clone());
        Ok(tact_web::sso::Settings {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            client_secret: secret,
            public_url: self.public_url.trim_end_matches('/').to_string(),
            label: self
                .label
                .clone()
                .unwrap_or_else(|| "your organisation's account".into()),
            scopes: self
                .scopes
                .clone()
                .unwrap_or_else(|| vec!["profile".into(), "email".into()]),
            username_claim: self
                .username_claim
                .clone()
                .unwrap_or_else(|| "preferred_username".into()),
            groups_claim: self.groups_claim.clone().unwrap_or_else(|| "roles".into()),
            roles,
            passwords: self.passwords.unwrap_or(true),
        })
    }
}

/// `[sessions]` in `tact.toml`: a web session ends after `idle_minutes` unused (30 unless
/// set) and `absolute_hours` after sign-in (10 unless set).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionsConfig {
    pub idle_minutes: Option<u32>,
    pub absolute_hours: Option<u32>,
}

impl SessionsConfig {
    /// The limits, each from `tact.toml` where set, else its default.
    ///
    /// # Errors
    /// A limit of zero, or an idle time longer than the absolute one.
    pub fn limits(&self) -> Result<tact_core::roles::SessionLimits> {
        let d = tact_core::roles::SessionLimits::default();
        let limits = tact_core::roles::SessionLimits {
            idle: match self.idle_minutes {
                Some(0) => bail!("[sessions] idle_minutes must be 1 or more"),
                Some(m) => jiff::SignedDuration::from_mins(i64::from(m)),
                None => d.idle,
            },
            absolute: match self.absolute_hours {
                Some(0) => bail!("[sessions] absolute_hours must be 1 or more"),
                Some(h) => jiff::SignedDuration::from_hours(i64::from(h)),
                None => d.absolute,
            },
        };
        if limits.idle > limits.absolute {
            bail!("[sessions] idle_minutes is longer than absolute_hours");
        }
        Ok(limits)
    }
}

/// `[limits]` in `tact.toml`: how much each caller may ask before a 429 (issue 12).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// API calls a second per token (or per address without one), sustained.
    pub api_per_second: Option<u32>,
    /// API calls a token may make at once.
    pub api_burst: Option<u32>,
    /// Sign-in attempts a minute from one address.
    pub sign_in_per_minute: Option<u32>,
    /// Calls with a wrong token a minute from one address.
    pub bad_tokens_per_minute: Option<u32>,
}

impl LimitsConfig {
    /// The limits, each from `tact.toml` where set and above zero, else its default.
    ///
    /// # Errors
    /// A limit of zero (which would refuse everything).
    pub fn limits(&self) -> Result<tact_web::harden::Limits> {
        let d = tact_web::harden::Limits::default();
        let pick = |name: &str, v: Option<u32>, default: u32| match v {
            Some(0) => bail!("[limits] {name} must be 1 or more"),
            Some(n) => Ok(n),
            None => Ok(default),
        };
        Ok(tact_web::harden::Limits {
            api_per_second: pick("api_per_second", self.api_per_second, d.api_per_second)?,
            api_burst: pick("api_burst", self.api_burst, d.api_burst)?,
            sign_in_per_minute: pick(
                "sign_in_per_minute",
                self.sign_in_per_minute,
                d.sign_in_per_minute,
            )?,
            bad_tokens_per_minute: pick(
                "bad_tokens_per_minute",
                self.bad_tokens_per_minute,
                d.bad_tokens_per_minute,
            )?,
        })
    }
}

/// `[smtp]` in `tact.toml`: the relay for outbound email.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// "starttls" (default), "tls", or "none" (loopback only).
    #[serde(default = "default_security")]
    pub security: String,
    pub from: String,
    pub username: Option<String>,
    /// The environment variable holding the password, if the relay needs one.
    pub password_env: Option<String>,
}

fn default_smtp_port() -> u16 {
    587
}

fn default_security() -> String {
    "starttls".into()
}

impl SmtpConfig {
    /// # Errors
    /// A password variable named but not set.
    pub fn relay(&self) -> Result<tact_mail::smtp::Relay> {
        let password = match &self.password_env {
            Some(v) => Some(std::env::var(v).with_context(|| {
                format!("[smtp]: set the password in the environment variable {v}")
            })?),
            None => None,
        };
        Ok(tact_mail::smtp::Relay {
            host: self.host.clone(),
            port: self.port,
            security: self.security.clone(),
            username: self.username.clone(),
            password,
            from: self.from.clone(),
        })
    }
}

fn default_poll_seconds() -> u64 {
    60
}

fn default_folder() -> String {
    "INBOX".into()
}

fn default_true() -> bool {
    true
}

/// One `[[mailbox]]` in `tact.toml`. The password is read from the environment variable
/// `password_env` names, so it never sits in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxConfig {
    pub name: String,
    pub host: String,
    pub port: Option<u16>,
    #[serde(default = "default_true")]
    pub tls: bool,
    pub username: String,
    pub password_env: String,
    #[serde(default = "default_folder")]
    pub folder: String,
    /// A PEM file of certificate authorities to trust besides the public ones.
    #[serde(default)]
    pub ca_file: Option<String>,
}

impl MailboxConfig {
    /// The account to poll, with its password from the environment.
    ///
    /// # Errors
    /// The password's environment variable is not set.
    pub fn account(&self) -> Result<tact_mail::imap::Account> {
        let password = std::env::var(&self.password_env).with_context(|| {
            format!(
                "mailbox {}: set the password in the environment variable {}",
                self.name, self.password_env
            )
        })?;
        Ok(tact_mail::imap::Account {
            name: self.name.clone(),
            host: self.host.clone(),
            port: self.port.unwrap_or(if self.tls { 993 } else { 143 }),
            tls: self.tls,
            username: self.username.clone(),
            password,
            folder: self.folder.clone(),
            ca_file: self.ca_file.clone(),
            timeout: std::time::Duration::from_secs(30),
        })
    }
}

pub struct DataDir {
    pub dir: PathBuf,
    pub config: FileConfig,
}

impl DataDir {
    pub fn config_path(dir: &Path) -> PathBuf {
        dir.join("tact.toml")
    }

    pub fn exists(dir: &Path) -> bool {
        Self::config_path(dir).exists()
    }

    /// Opens an initialised data folder.
    ///
    /// # Errors
    /// A folder that `tact init` has not set up, or a `tact.toml` that cannot be read.
    pub fn open(dir: &Path) -> Result<Self> {
        let path = Self::config_path(dir);
        if !path.exists() {
            bail!("{} is not a Tact data folder (no tact.toml): run `tact init --data {} --profile cleveland-opcc` first", dir.display(), dir.display());
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let config: FileConfig = toml::from_str(&text).map_err(|e| {
            let at =
                tact_core::profile::ProfileError::of_toml(&path.display().to_string(), &text, &e);
            anyhow::anyhow!("{at}")
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            config,
        })
    }

    /// The key that signs the event log's checkpoints (`audit.key`, readable by its owner
    /// only), made on first use. It never goes into the database, so whoever can change the
    /// database cannot sign a checkpoint (issue 12).
    ///
    /// # Errors
    /// The key file cannot be read or written.
    pub fn audit_key(&self) -> Result<Vec<u8>> {
        let path = self.dir.join("audit.key");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return hex::decode(text.trim())
                .with_context(|| format!("{} is not a key", path.display()));
        }
        let key: [u8; 32] = rand::random();
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        use std::io::Write;
        writeln!(f, "{}", hex::encode(key))?;
        Ok(key.to_vec())
    }

    fn checkpoints_path(&self) -> PathBuf {
        self.dir.join("audit-checkpoints")
    }

    /// The checkpoints kept so far, oldest first.
    ///
    /// # Errors
    /// The file cannot be read, or a line of it is not a checkpoint.
    pub fn checkpoints(&self) -> Result<Vec<tact_core::audit::Checkpoint>> {
        let Ok(text) = std::fs::read_to_string(self.checkpoints_path()) else {
            return Ok(Vec::new());
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                tact_core::audit::Checkpoint::parse(l)
                    .map_err(|e| anyhow::anyhow!("audit-checkpoints: {e}"))
            })
            .collect()
    }

    /// Moves the checkpoint file aside (after a restore, which takes the log back on
    /// purpose), naming it for `when`; the path it went to, if there was one.
    ///
    /// # Errors
    /// The file cannot be renamed.
    pub fn set_checkpoints_aside(&self, when: &str) -> Result<Option<String>> {
        let from = self.checkpoints_path();
        if !from.exists() {
            return Ok(None);
        }
        let to = self.dir.join(format!(
            "audit-checkpoints.before-restore-{}",
            when.replace(':', "-")
        ));
        std::fs::rename(&from, &to)?;
        Ok(Some(to.display().to_string()))
    }

    /// Adds a checkpoint to the file (appended, never rewritten).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn keep_checkpoint(&self, cp: &tact_core::audit::Checkpoint) -> Result<()> {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(self.checkpoints_path())?;
        writeln!(f, "{}", cp.line())?;
        Ok(())
    }

    /// The database URL: the flag or `TACT_DATABASE_URL`, else `tact.toml`, else SQLite in the folder.
    pub fn database_url(&self, flag: Option<&str>) -> String {
        flag.map(str::to_string)
            .or_else(|| self.config.database_url.clone())
            .unwrap_or_else(|| sqlite_url(&self.dir))
    }

    /// # Errors
    /// A profile file that is missing or broken (with its line and field).
    pub fn profile(&self) -> Result<Profile> {
        let path = self.dir.join(&self.config.profile);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the profile {}", path.display()))?;
        Profile::parse(&path.display().to_string(), &text).map_err(|e| anyhow::anyhow!("{e}"))
    }
}

pub fn sqlite_url(dir: &Path) -> String {
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    format!("sqlite://{}?mode=rwc", abs.join("tact.db").display())
}

/// Reads a profile by built-in name or path, checking it.
///
/// # Errors
/// An unknown name, an unreadable file, or a broken profile with file, line and field.
pub fn load_profile(name_or_path: &str) -> Result<(String, Profile)> {
    if let Some((name, src)) = tact_core::profile::BUILT_IN
        .iter()
        .find(|(n, _)| *n == name_or_path)
    {
        let p = Profile::parse(&format!("policies/{name}.toml"), src)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tact_mail::letters::check_templates(&p).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        return Ok((src.to_string(), p));
    }
    let path = Path::new(name_or_path);
    if !path.exists() {
        let names: Vec<&str> = tact_core::profile::BUILT_IN
            .iter()
            .map(|(n, _)| *n)
            .collect();
        bail!(
            "no profile {name_or_path:?}: give a path to a .toml file or one of {}",
            names.join(", ")
        );
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let p =
        Profile::parse(&path.display().to_string(), &text).map_err(|e| anyhow::anyhow!("{e}"))?;
    // A letter template that does not parse is refused now, not when a letter is due.
    tact_mail::letters::check_templates(&p)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok((text, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mailbox_takes_its_password_from_the_environment_never_the_file() {
        let c: FileConfig = toml::from_str(
            "profile = \"profile.toml\"\n\
             [[mailbox]]\nname = \"enquiries\"\nhost = \"imap.example.org\"\n\
             username = \"enquiries@opcc.example\"\npassword_env = \"TACT_TEST_NO_SUCH_VAR_9\"\n",
        )
        .unwrap();
        let m = &c.mailboxes[0];
        assert!(m.tls, "TLS unless said otherwise");
        assert_eq!(m.folder, "INBOX");
        assert_eq!(c.poll_seconds, 60);
        let e = m.account().unwrap_err().to_string();
        assert!(e.contains("TACT_TEST_NO_SUCH_VAR_9"), "{e}");
        // A password in the file itself is refused.
        let bad = toml::from_str::<FileConfig>(
            "profile = \"p\"\n[[mailbox]]\nname = \"x\"\nhost = \"h\"\nusername = \"u\"\npassword_env = \"E\"\npassword = \"secret\"\n",
        );
        assert!(bad.is_err());
    }

    #[test]
    fn issue_12_sso_and_the_second_factor_are_read_from_tact_toml_and_checked() {
        let c: FileConfig = toml::from_str(
            "profile = \"p\"\n[sign_in]\nsecond_factor = \"required\"\n\
             [sso]\nissuer = \"https://login.example/t/v2.0\"\nclient_id = \"c\"\n\
             public_url = \"https://tact.example/\"\n\
             [[sso.role]]\nclaim = \"Tact.Seniors\"\nrole = \"senior-manager\"\n\
             [[sso.role]]\nclaim = \"Tact.Staff\"\nrole = \"caseworker\"\n",
        )
        .unwrap();
        assert_eq!(c.sign_in.second_factor, SecondFactorSetting::Required);
        let s = c.sso.unwrap().settings().unwrap();
        assert_eq!(s.public_url, "https://tact.example");
        assert_eq!(s.username_claim, "preferred_username");
        assert_eq!(s.groups_claim, "roles");
        assert!(s.passwords);
        assert_eq!(
            s.roles,
            vec![
                (
                    "Tact.Seniors".to_string(),
                    tact_core::roles::Role::SeniorManager
                ),
                ("Tact.Staff".to_string(), tact_core::roles::Role::Caseworker),
            ]
        );
        // An unknown role, no mapping at all, or an issuer that is not a URL is refused
        // when the server starts, naming what is wrong.
        let refused = |extra: &str| {
            let c: FileConfig = toml::from_str(&format!(
                "profile = \"p\"\n[sso]\nissuer = \"https://i\"\nclient_id = \"c\"\npublic_url = \"https://t\"\n{extra}"
            ))
            .unwrap();
            c.sso.unwrap().settings().unwrap_err().to_string()
        };
        assert!(refused("[[sso.role]]\nclaim = \"x\"\nrole = \"boss\"\n").contains("boss"));
        assert!(refused("").contains("maps no claim to a role"));
        let c: FileConfig = toml::from_str(
            "profile = \"p\"\n[sso]\nissuer = \"login.example\"\nclient_id = \"c\"\npublic_url = \"https://t\"\n[[sso.role]]\nclaim = \"x\"\nrole = \"dpo\"\n",
        )
        .unwrap();
        assert!(c
            .sso
            .unwrap()
            .settings()
            .unwrap_err()
            .to_string()
            .contains("issuer"));
        // A setting Tact does not know is refused too.
        assert!(toml::from_str::<FileConfig>(
            "profile = \"p\"\n[sign_in]\nsecond_factor = \"sometimes\"\n"
        )
        .is_err());
    }

    #[test]
    fn the_document_makers_are_read_from_tact_toml_and_checked() {
        let read = |t: &str| toml::from_str::<FileConfig>(&format!("profile = \"p\"\n{t}"));
        let m = read("[documents]\nat_once = 3\nwait_seconds = 5\n")
            .unwrap()
            .documents
            .makers();
        assert_eq!(m.at_once(), 3);
        assert_eq!(m.wait(), std::time::Duration::from_secs(5));
        // Unset, each keeps its default: a turn for every two cores, twenty seconds' wait.
        let m = read("").unwrap().documents.makers();
        let d = tact_app::makers::Makers::default();
        assert_eq!((m.at_once(), m.wait()), (d.at_once(), d.wait()));
        assert_eq!(d.wait(), std::time::Duration::from_secs(20));
        // None at once would make nothing; an unknown setting is refused.
        let e = read("[documents]\nat_once = 0\n").unwrap_err().to_string();
        assert!(e.contains("at_once") && e.contains("nonzero"), "{e}");
        assert!(read("[documents]\nthreads = 2\n").is_err());
    }

    /// A `tact.toml` that does not read names its line and setting, as a broken profile does,
    /// so the office's IT staff know what to mend.
    #[test]
    fn a_broken_tact_toml_names_its_line_and_setting() {
        let dir = std::env::temp_dir().join(format!("tact-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (text, said) in [
            (
                "profile = \"p\"\n[limits]\napi_per_second = \"many\"\n",
                "tact.toml:3: field `api_per_second`: invalid type",
            ),
            (
                "profile = \"p\"\n\n[documents]\nat_once = 0\n",
                "tact.toml:4: field `at_once`: invalid value: integer `0`",
            ),
            (
                "profile = \"p\"\n[documents]\nthreads = 3\n",
                "tact.toml:3: field `threads`: unknown field",
            ),
        ] {
            std::fs::write(DataDir::config_path(&dir), text).unwrap();
            let Err(e) = DataDir::open(&dir) else {
                panic!("{text:?} was read");
            };
            assert!(e.to_string().contains(said), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
