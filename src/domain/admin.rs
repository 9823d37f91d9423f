//! Admin account names and new passwords, checked before anything is stored.

use super::Invalid;

/// Fewest characters a new admin password may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Most characters a new admin password may have (argon2 takes any length; this bounds input).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The name the audit log uses for requests authenticated by the admin token; no account may
/// take it, so that an audit entry's actor is never ambiguous.
pub const TOKEN_ACTOR: &str = "token";

/// An admin account name: 1 to 64 letters, digits, `.`, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminName(String);

impl AdminName {
    pub fn parse(name: &str) -> Result<Self, Invalid> {
        let invalid = |why: &str| Invalid::new("invalid_username", why.to_owned());
        if name.is_empty() || name.chars().count() > 64 {
            return Err(invalid("a user name has 1 to 64 characters"));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(invalid(
                "a user name has only letters, digits, '.', '_' and '-'",
            ));
        }
        if name == TOKEN_ACTOR {
            return Err(invalid(
                "\"token\" is reserved: the audit log names the admin token so",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AdminName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the rules for a new admin password. Never shown by `Debug`.
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(password: String) -> Result<Self, Invalid> {
        let invalid = |why: String| Invalid::new("invalid_password", why);
        let chars = password.chars().count();
        if chars == 0 {
            return Err(invalid("the password is empty".into()));
        }
        if chars < MIN_PASSWORD_CHARS {
            return Err(invalid(format!(
                "the password is too short: at least {MIN_PASSWORD_CHARS} characters"
            )));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(invalid(format!(
                "the password is too long: at most {MAX_PASSWORD_CHARS} characters"
            )));
        }
        Ok(Self(password))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rules() {
        for good in [
            "a",
            "alice",
            "Bob.Smith",
            "ops_2",
            "night-desk",
            &"x".repeat(64),
        ] {
            assert_eq!(AdminName::parse(good).expect(good).as_str(), good);
        }
        for bad in [
            "",
            &"x".repeat(65),
            "al ice",
            "bob@example",
            "é",
            "a/b",
            "token",
        ] {
            let err = AdminName::parse(bad).expect_err(bad);
            assert_eq!(err.code, "invalid_username", "{bad}");
        }
        assert!(
            AdminName::parse("Token").is_ok(),
            "only the exact word is reserved"
        );
    }

    #[test]
    fn passwords_follow_the_rules() {
        let err = NewPassword::parse(String::new()).expect_err("empty");
        assert!(err.message.contains("empty"), "{err}");
        let err = NewPassword::parse("1234567".into()).expect_err("short");
        assert!(err.message.contains("at least 8"), "{err}");
        assert!(NewPassword::parse("12345678".into()).is_ok());
        assert!(
            NewPassword::parse("ééééééé€".into()).is_ok(),
            "counted in characters"
        );
        assert!(NewPassword::parse("x".repeat(MAX_PASSWORD_CHARS + 1)).is_err());
    }

    #[test]
    fn passwords_stay_out_of_debug_output() {
        let password = NewPassword::parse("hunter2hunter2".into()).expect("valid");
        assert!(!format!("{password:?}").contains("hunter2"));
    }
}
