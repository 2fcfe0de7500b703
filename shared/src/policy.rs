//! Input rules both sides apply. The password rules run in the browser only:
//! with OPAQUE the server never sees the password, so it cannot check it.

use crate::errors::InputError;

/// Never below this, whatever the configuration says (SPEC ACC-4).
pub const PASSWORD_MIN_FLOOR: usize = 6;
pub const PASSWORD_MIN_DEFAULT: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort { min: usize },
    Mismatch,
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordProblem::TooShort { min } => {
                write!(f, "The password must be at least {min} characters long.")
            }
            PasswordProblem::Mismatch => write!(f, "The two passwords do not match."),
        }
    }
}

/// Length counts characters, not bytes; any character is allowed.
pub fn check_new_password(
    password: &str,
    confirmation: &str,
    min: usize,
) -> Result<(), PasswordProblem> {
    let min = min.max(PASSWORD_MIN_FLOOR);
    if password.chars().count() < min {
        return Err(PasswordProblem::TooShort { min });
    }
    if password != confirmation {
        return Err(PasswordProblem::Mismatch);
    }
    Ok(())
}

/// A coarse strength estimate (0–4) for the meter: length and variety of
/// character classes, with well-known patterns pulled down.
pub fn password_strength(password: &str) -> u8 {
    let len = password.chars().count();
    if len == 0 {
        return 0;
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let distinct = {
        let mut cs: Vec<char> = password.chars().collect();
        cs.sort_unstable();
        cs.dedup();
        cs.len()
    };
    let lower = password.to_lowercase();
    let common = [
        "password", "123456", "qwerty", "letmein", "admin", "welcome", "coffer",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let mut score: i32 = match len {
        0..=7 => 0,
        8..=11 => 1,
        12..=15 => 2,
        16..=19 => 3,
        _ => 4,
    };
    if classes >= 3 {
        score += 1;
    }
    if distinct * 3 < len || common {
        score -= 2;
    }
    score.clamp(0, 4) as u8
}

pub fn strength_label(score: u8) -> &'static str {
    match score {
        0 => "Very weak",
        1 => "Weak",
        2 => "Fair",
        3 => "Strong",
        _ => "Very strong",
    }
}

/// Lower-cased, trimmed address if it is one Coffer can write to: a local
/// part of RFC 5322 "atext" characters and single dots, and a domain of
/// letters, digits and hyphens with at least one dot. Every door (Add user,
/// CSV import, sign-in, setup) uses this one rule, and the mail library
/// accepts whatever it accepts (a test in `coffer-core` checks that), so a
/// row can never pass here and fail when its invitation is composed.
pub fn normalise_email(input: &str) -> Result<String, InputError> {
    let e = input.trim().to_lowercase();
    let (local, domain) = e.split_once('@').ok_or(InputError::InvalidEmail)?;
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let dotted = |part: &str, ok: &dyn Fn(char) -> bool| {
        !part.is_empty() && part.split('.').all(|w| !w.is_empty() && w.chars().all(ok))
    };
    let label = |c: char| c.is_alphanumeric() || c == '-';
    let ok = local.len() <= 64
        && e.len() <= 254
        && dotted(local, &atext)
        && domain.contains('.')
        && dotted(domain, &label)
        && domain
            .split('.')
            .all(|l| !l.starts_with('-') && !l.ends_with('-'));
    if ok {
        Ok(e)
    } else {
        Err(InputError::InvalidEmail)
    }
}

/// SPEC: an optional user name has letters, digits and underscores only
/// (3 to 64 of them), so it can never be mistaken for an email address.
pub fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.chars().count())
        && u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// E.164: `+`, a country code not starting with 0, at most 15 digits in
/// all. Spaces, dots, dashes and brackets people type are dropped first.
pub fn normalise_mobile(input: &str) -> Result<String, InputError> {
    let compact: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    if compact.is_empty() {
        return Ok(compact);
    }
    let digits = compact.strip_prefix('+').ok_or(InputError::InvalidMobile)?;
    let ok = (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(compact)
    } else {
        Err(InputError::InvalidMobile)
    }
}

pub fn check_organisation_name(name: &str) -> Result<String, InputError> {
    let n = name.trim();
    let len = n.chars().count();
    if len == 0 || len > 100 || n.chars().any(|c| c.is_control()) {
        return Err(InputError::InvalidOrganisationName);
    }
    Ok(n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_and_confirmation() {
        assert_eq!(
            check_new_password("short", "short", 8),
            Err(PasswordProblem::TooShort { min: 8 })
        );
        // The floor applies even when configured lower.
        assert_eq!(
            check_new_password("abcde", "abcde", 2),
            Err(PasswordProblem::TooShort { min: 6 })
        );
        assert_eq!(
            check_new_password("long enough", "long enougH", 8),
            Err(PasswordProblem::Mismatch)
        );
        // Characters, not bytes: eight accented letters pass a minimum of 8.
        assert_eq!(check_new_password("éééééééé", "éééééééé", 8), Ok(()));
    }

    #[test]
    fn strength_orders_sensible_examples() {
        assert_eq!(password_strength(""), 0);
        assert!(password_strength("password123") <= 1);
        assert!(password_strength("aaaaaaaaaaaaaaaa") <= 1);
        assert!(password_strength("Tr0ub4dor&3x-horse") >= 3);
    }

    #[test]
    fn mobile_numbers() {
        assert_eq!(
            normalise_mobile(" +44 7700 900-123 ").unwrap(),
            "+447700900123"
        );
        assert_eq!(normalise_mobile("").unwrap(), "");
        for bad in [
            "07700900123",
            "+0123456789",
            "+12345",
            "+1234567890123456",
            "+44 77OO 900123",
        ] {
            assert_eq!(
                normalise_mobile(bad),
                Err(InputError::InvalidMobile),
                "{bad}"
            );
        }
    }

    #[test]
    fn email_rules() {
        assert_eq!(
            normalise_email(" Ann@Example.COM ").unwrap(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@x.org",
            "ann@localhost",
            "a b@x.org",
            "ann@x..org",
            "a@b@c.org",
            "=HYPERLINK(\"http://evil.example\",\"x\")@h.example",
            "a,b@x.org",
            "\"quoted\"@x.org",
            ".ann@x.org",
            "ann.@x.org",
            "an..n@x.org",
            "ann@-x.org",
            "ann@x_y.org",
        ] {
            assert_eq!(normalise_email(bad), Err(InputError::InvalidEmail), "{bad}");
        }
        for good in [
            "o'brien+tag@x.org",
            "a.b-c_d@sub.example.co.uk",
            "=sum@x.org",
        ] {
            assert!(normalise_email(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn user_names_are_letters_digits_and_underscores() {
        for good in ["ann", "ann_b", "A1_", &"x".repeat(64)] {
            assert!(valid_username(good), "{good}");
        }
        for bad in [
            "an",
            "bad.name",
            "ann-b",
            "ann b",
            "ann@x",
            "änn",
            &"x".repeat(65),
        ] {
            assert!(!valid_username(bad), "{bad}");
        }
    }
}
