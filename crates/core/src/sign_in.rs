//! How a member of staff gets in (issue 12): whether a second factor is asked for, and who
//! someone signing in through the office's OpenID provider is in Tact. Pure functions; the
//! doors (the web UI, the CLI) only ask them.

use crate::error::RuleError;
use crate::ids::StaffId;
use crate::model::Staff;
use crate::roles::Role;

/// The fewest characters a password may have.
pub const PASSWORD_MIN: usize = 12;

/// A username as kept: trimmed, and 1 to 64 letters, digits, dots, dashes, underscores or
/// @ (sign-in compares without regard to case).
///
/// # Errors
/// An invalid-input error naming `username`.
pub fn username(text: &str) -> Result<String, RuleError> {
    let username = text.trim();
    if username.is_empty() {
        return Err(RuleError::invalid(
            "username",
            crate::error::enter("username"),
        ));
    }
    if username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_@".contains(c))
    {
        return Err(RuleError::invalid(
            "username",
            format!(
                "a username is 1 to 64 letters, digits, dots, dashes, underscores or @, not {}",
                crate::error::shown(username)
            ),
        ));
    }
    Ok(username.to_string())
}

/// A password long enough to set: at least [`PASSWORD_MIN`] characters, wherever it is
/// set (a new account, a reset link, the command line).
///
/// # Errors
/// An invalid-input error naming `password`.
pub fn new_password(password: &str) -> Result<(), RuleError> {
    if password.chars().count() < PASSWORD_MIN {
        return Err(RuleError::invalid(
            "password",
            format!("a password needs at least {PASSWORD_MIN} characters"),
        ));
    }
    Ok(())
}

/// A new password its holder chose for themselves, in place of `current`: as long as any
/// password ([`new_password`]), and not the one it replaces (a password an administrator
/// handed them is changed for one only they know).
///
/// # Errors
/// An invalid-input error naming `new_password`.
pub fn changed_password(current: &str, new: &str) -> Result<(), RuleError> {
    new_password(new).map_err(|e| e.with_field("new_password"))?;
    if new == current {
        return Err(RuleError::invalid(
            "new_password",
            "choose a new password, not the one you have now",
        ));
    }
    Ok(())
}

/// What a right password leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// Signed in.
    NotNeeded,
    /// A code from the authenticator app (or a recovery code) first.
    Code,
    /// The office requires a second factor and this member of staff has none: set one up
    /// first.
    SetUp,
}

/// Whether a password sign-in needs a second factor (issue 12): always where one is set
/// up; where the office requires one (`[sign_in] second_factor = "required"`) and none is,
/// setting one up. Single sign-on never asks: the office's provider decides its own factors.
pub fn second_factor_needed(required: bool, set_up: bool) -> SecondFactor {
    match (set_up, required) {
        (true, _) => SecondFactor::Code,
        (false, true) => SecondFactor::SetUp,
        (false, false) => SecondFactor::NotNeeded,
    }
}

/// The Tact role a provider's groups or app roles map to (issue 12): the first mapping in
/// `tact.toml`'s order whose claim value the member of staff has, so an office lists its
/// mappings most particular first. `None` where none matches: no role, no way in.
pub fn role_from_claims(mapping: &[(String, Role)], values: &[String]) -> Option<Role> {
    mapping
        .iter()
        .find(|(value, _)| values.iter().any(|v| v == value))
        .map(|(_, role)| *role)
}

/// A member of staff as single sign-on finds them: their record and the provider identity
/// it is linked to, if any.
#[derive(Debug, Clone)]
pub struct Known {
    pub staff: Staff,
    pub external_id: Option<String>,
}

/// Who someone signing in through the provider is in Tact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderMatch {
    /// Already linked: sign in, with the role now mapped (changed where it differs).
    Linked { staff: StaffId, role: Role },
    /// A member of staff with this username and no provider identity yet: link them.
    Link { staff: StaffId, role: Role },
    /// Nobody yet: create a member of staff with this role.
    Create { role: Role },
}

/// Decides who a provider sign-in is (issue 12): the member of staff already linked to the
/// provider identity; else the one whose username is the provider's username claim and who
/// is linked to no other identity; else a new member of staff. The role is always the one
/// the provider's claims map to now, so a change in the provider's groups changes Tact's
/// role at the next sign-in.
///
/// # Errors
/// A forbidden error, in words for the person at the sign-in page, where the claims map to
/// no role, the member of staff is no longer active, the record is a service account, or
/// the username belongs to someone linked to another identity.
pub fn match_provider_account(
    role: Option<Role>,
    linked: Option<&Staff>,
    by_username: Option<&Known>,
) -> Result<ProviderMatch, RuleError> {
    let Some(role) = role else {
        return Err(RuleError::forbidden(
            None,
            "your account has no role in Tact: ask your administrator to add you to one of \
             Tact's groups",
        ));
    };
    let usable = |s: &Staff| -> Result<(), RuleError> {
        if s.scope.is_some() {
            return Err(RuleError::forbidden(
                None,
                "this name belongs to a service account, which never signs in",
            ));
        }
        if !s.active {
            return Err(RuleError::forbidden(
                None,
                "your account in Tact is no longer active: ask your administrator",
            ));
        }
        Ok(())
    };
    if let Some(s) = linked {
        usable(s)?;
        return Ok(ProviderMatch::Linked { staff: s.id, role });
    }
    match by_username {
        Some(k) if k.external_id.is_some() => Err(RuleError::forbidden(
            None,
            "your username in Tact is linked to another account at your provider: ask your \
             administrator",
        )),
        Some(k) => {
            usable(&k.staff)?;
            Ok(ProviderMatch::Link {
                staff: k.staff.id,
                role,
            })
        }
        None => Ok(ProviderMatch::Create { role }),
    }
}

/// Who may remove a member of staff's authenticator (issue 12): whoever manages staff, for
/// someone who has lost theirs and their recovery codes; the member of staff themselves
/// only where the office does not require a second factor.
///
/// # Errors
/// A forbidden error saying why.
pub fn may_remove_second_factor(
    profile: &crate::profile::Profile,
    actor: &crate::roles::Actor,
    holder: &Staff,
    required: bool,
) -> Result<(), RuleError> {
    if actor.scope.is_none() && actor.id == holder.id && !required {
        return Ok(());
    }
    if actor.id == holder.id {
        return Err(RuleError::forbidden(
            None,
            "this office requires a second factor: an administrator removes yours if you \
             have lost it",
        ));
    }
    crate::roles::authorise(profile, actor, crate::roles::Action::ManageStaff, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::Scope;

    /// Issue 12: a username and a new password are checked by one rule wherever they are
    /// set (the staff form, the API, the CLI, a reset link).
    #[test]
    fn a_username_is_plain_and_a_new_password_has_twelve_characters_or_more() {
        assert_eq!(username("  ada.l@opcc ").unwrap(), "ada.l@opcc");
        for bad in ["", "a b", "ada!", &"a".repeat(65)] {
            assert_eq!(
                username(bad).unwrap_err().field.as_deref(),
                Some("username"),
                "{bad:?}"
            );
        }
        // Nothing typed is asked for; what was typed is quoted back.
        assert_eq!(username("  ").unwrap_err().message, "Enter the username");
        assert!(username("ada!")
            .unwrap_err()
            .message
            .ends_with(", not \"ada!\""));
        assert!(new_password("twelve chars").is_ok());
        let e = new_password("elevenchars").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("password"));
        // Characters, not bytes: twelve accented letters are long enough.
        assert!(new_password(&"é".repeat(12)).is_ok());
    }

    fn staff(id: i64) -> Staff {
        Staff {
            id: StaffId(id),
            name: "Sam Patel".into(),
            email: None,
            role: Role::Caseworker,
            line_manager: None,
            active: true,
            scope: None,
        }
    }

    #[test]
    fn issue_12_a_second_factor_is_asked_for_where_set_up_and_set_up_where_required() {
        assert_eq!(second_factor_needed(false, true), SecondFactor::Code);
        assert_eq!(second_factor_needed(true, true), SecondFactor::Code);
        assert_eq!(second_factor_needed(true, false), SecondFactor::SetUp);
        assert_eq!(second_factor_needed(false, false), SecondFactor::NotNeeded);
    }

    #[test]
    fn issue_12_an_authenticator_is_removed_by_an_administrator_or_by_its_holder_where_optional() {
        let p = crate::profile::Profile::built_in("cleveland-opcc").unwrap();
        let me = staff(4);
        let mine = crate::roles::Actor::staff(StaffId(4), "Sam Patel", Role::Caseworker);
        let admin = crate::roles::Actor::staff(StaffId(9), "Ann Admin", Role::Admin);
        let colleague = crate::roles::Actor::staff(StaffId(5), "Kim Lee", Role::SeniorManager);
        assert!(may_remove_second_factor(&p, &mine, &me, false).is_ok());
        assert!(may_remove_second_factor(&p, &mine, &me, true).is_err());
        assert!(may_remove_second_factor(&p, &admin, &me, true).is_ok());
        assert!(may_remove_second_factor(&p, &colleague, &me, false).is_err());
    }

    #[test]
    fn issue_12_the_first_mapping_the_provider_claims_match_gives_the_role() {
        let mapping = vec![
            ("tact-seniors".to_string(), Role::SeniorManager),
            ("tact-staff".to_string(), Role::Caseworker),
        ];
        let both = vec!["tact-staff".to_string(), "tact-seniors".to_string()];
        assert_eq!(role_from_claims(&mapping, &both), Some(Role::SeniorManager));
        assert_eq!(
            role_from_claims(&mapping, &["tact-staff".to_string()]),
            Some(Role::Caseworker)
        );
        assert_eq!(role_from_claims(&mapping, &["finance".to_string()]), None);
        assert_eq!(role_from_claims(&mapping, &[]), None);
    }

    #[test]
    fn issue_12_a_provider_sign_in_is_matched_linked_or_created_and_never_takes_another_identity() {
        let s = staff(4);
        assert_eq!(
            match_provider_account(Some(Role::Dpo), Some(&s), None),
            Ok(ProviderMatch::Linked {
                staff: StaffId(4),
                role: Role::Dpo
            })
        );
        let unlinked = Known {
            staff: s.clone(),
            external_id: None,
        };
        assert_eq!(
            match_provider_account(Some(Role::Caseworker), None, Some(&unlinked)),
            Ok(ProviderMatch::Link {
                staff: StaffId(4),
                role: Role::Caseworker
            })
        );
        assert_eq!(
            match_provider_account(Some(Role::Caseworker), None, None),
            Ok(ProviderMatch::Create {
                role: Role::Caseworker
            })
        );
        // Someone else's username, already linked to another identity, is not taken over.
        let theirs = Known {
            staff: s.clone(),
            external_id: Some("https://idp other".into()),
        };
        assert!(match_provider_account(Some(Role::Caseworker), None, Some(&theirs)).is_err());
        // No role, no way in; nor for someone no longer active, nor a service account.
        assert!(match_provider_account(None, Some(&s), None).is_err());
        let mut gone = s.clone();
        gone.active = false;
        assert!(match_provider_account(Some(Role::Caseworker), Some(&gone), None).is_err());
        let mut system = s;
        system.scope = Some(Scope::ContactCheck);
        let system = Known {
            staff: system,
            external_id: None,
        };
        assert!(match_provider_account(Some(Role::Caseworker), None, Some(&system)).is_err());
    }
}
