//! The core's one error type.
//!
//! A [`RuleError`] says which rule refused the step, the clause of the loaded
//! policy that rule comes from, and the field at fault where there is one. The
//! HTTP edge turns `kind` into a status code and sends `message`, `clause` and
//! `field` to the caller; nothing internal is ever in a `RuleError`.

use std::fmt;

/// What sort of refusal this is; the doors map it to HTTP status or exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleErrorKind {
    /// The input is malformed (a bad phone number, an empty reason).
    Invalid,
    /// The actor's role may not take this step.
    Forbidden,
    /// The step is not allowed in the record's current state, or the policy forbids it.
    Conflict,
    /// A record the step names does not exist.
    NotFound,
}

/// A refusal by the policy engine, naming the clause and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub kind: RuleErrorKind,
    pub clause: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

impl RuleError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::Invalid,
            clause: None,
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    pub fn conflict(clause: &str, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::Conflict,
            clause: Some(clause.to_string()),
            field: None,
            message: message.into(),
        }
    }

    pub fn forbidden(clause: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::Forbidden,
            clause: clause.map(str::to_string),
            field: None,
            message: message.into(),
        }
    }

    pub fn not_found(field: &str, message: impl Into<String>) -> Self {
        Self {
            kind: RuleErrorKind::NotFound,
            clause: None,
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// Names the field at fault.
    #[must_use]
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    /// Names the clause that makes this rule.
    #[must_use]
    pub fn with_clause(mut self, clause: &str) -> Self {
        self.clause = Some(clause.to_string());
        self
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(clause) = &self.clause {
            write!(f, "{clause}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleError {}

/// Requires a non-blank free-text field, such as a reason.
///
/// # Errors
/// A [`RuleErrorKind::Invalid`] error naming `field` when `value` is empty or only whitespace.
pub fn require_text(field: &str, value: &str) -> Result<(), RuleError> {
    if value.trim().is_empty() {
        Err(RuleError::invalid(
            field,
            format!("{field} must not be empty"),
        ))
    } else {
        Ok(())
    }
}
