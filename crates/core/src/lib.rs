//! Tact's domain core.
//!
//! Everything the policies require is decided here, once, whatever door a request
//! comes through (JSON API, CLI, web UI, mail). The core does no I/O: it reads no
//! clock, file, socket or database. Callers pass the time and the records in, and
//! get back decisions as data (new state, audit events and tasks) to persist.
//!
//! The policy itself is data: a [`profile::Profile`] loaded from TOML. Each rule the
//! engine enforces names the clause the loaded profile gives for it, so a refusal
//! under Cleveland's profile cites `CLE-…` and under Northamptonshire's `NOR-…`.

pub mod audit;
pub mod check;
pub mod command;
pub mod correspondence;
pub mod equality;
pub mod error;
pub mod evidence;
pub mod governance;
pub mod identity;
pub mod ids;
pub mod import;
pub mod jobs;
pub mod model;
pub mod profile;
pub mod retention;
pub mod rights;
pub mod roles;
pub mod routing;
pub mod sharing;
pub mod sign_in;
pub mod words;
pub mod workflow;

#[doc(hidden)]
pub use serde as __serde;

pub use error::{RuleError, RuleErrorKind};
