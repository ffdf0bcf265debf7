//! Who may do what on a shared memory (`memoire serve`): API tokens and
//! their roles. A token is shown once when it is made; the store keeps its
//! SHA-256 hash only, so a copy of the memory gives no one access.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::{Error, Kind, Result};

/// What a token's holder may do. Each role can do what the one before it
/// can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Lookups, concordance, glossary search, pre-translation.
    Read,
    /// Read, and teach the memory (learn).
    Translate,
    /// Translate, and import files, edit terms.
    Admin,
}

impl Role {
    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "read" => Some(Role::Read),
            "translate" => Some(Role::Translate),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Translate => "translate",
            Role::Admin => "admin",
        }
    }

    /// Whether this role includes `needed`.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token's holder, as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    pub created_at: String,
}

/// A new secret token: `mem_` and 43 characters of 256 random bits
/// (URL-safe, so that it can stand in a path: `/t/{token}/tmserver/…`).
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::new(Kind::Internal, format!("no random numbers: {e}")))?;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut token = String::from("mem_");
    // 6 bits per character, 256 bits in 43 characters.
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            token.push(char::from(ALPHABET[((acc >> bits) & 63) as usize]));
        }
    }
    if bits > 0 {
        token.push(char::from(ALPHABET[((acc << (6 - bits)) & 63) as usize]));
    }
    Ok(token)
}

/// What the store keeps of a token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A user name: 1–64 letters, digits, `.`, `-`, `_` or `@` (it goes into
/// TMX `creationid` attributes and log lines).
pub fn check_user_name(name: &str) -> Result<()> {
    let fine = (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if fine {
        Ok(())
    } else {
        Err(Error::new(
            Kind::Input,
            format!(
                "{name:?} is not a user name: use 1 to 64 letters, digits, '.', '-', '_' or '@'"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 43);
        assert!(
            a[4..]
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn the_hash_is_sha256_in_hex() {
        // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn roles_include_the_ones_below() {
        assert!(Role::Admin.allows(Role::Translate) && Role::Translate.allows(Role::Read));
        assert!(!Role::Read.allows(Role::Translate) && !Role::Translate.allows(Role::Admin));
        assert_eq!(Role::parse("admin"), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn user_names_are_checked() {
        assert!(check_user_name("anne.martin@desk").is_ok());
        assert!(check_user_name("").is_err());
        assert!(check_user_name("a\"b").is_err());
        assert!(check_user_name(&"x".repeat(65)).is_err());
    }
}
