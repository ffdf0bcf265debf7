//! Text normalisation shared by every module, so that keys never drift apart.
//!
//! Two levels:
//!
//! * [`nfc`] — what is *stored*: the text exactly as given, only put in
//!   Unicode NFC so that « é » typed as one or two code points is the same.
//! * [`match_key`] — what two segments must share to be an *exact* (100 %)
//!   match: NFC, all white space (including the no-break spaces U+00A0,
//!   U+202F of French typography) collapsed to one space and trimmed, no space
//!   before `; : ! ? % »` or after `«`, curly apostrophes as `'`, and every
//!   double-quote style (« » “ ” „ ") as `"`. Case, digits and other
//!   punctuation are kept: they are differences a translator must see.
//!
//! [`key_hash`] is the stable 64-bit FNV-1a hash of a match key that the store
//! indexes. It must never change without a schema migration that rehashes.

use std::borrow::Cow;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// The text in Unicode NFC; borrowed when it already is (the common case).
pub fn nfc(text: &str) -> Cow<'_, str> {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    }
}

/// Characters that take no space before them in the key (French typography
/// puts a no-break space there, English none).
fn takes_no_space_before(c: char) -> bool {
    matches!(c, ';' | ':' | '!' | '?' | '%' | '»' | '›')
}

/// Opening guillemets, after which the key takes no space.
fn takes_no_space_after(c: char) -> bool {
    matches!(c, '«' | '‹')
}

/// Zero-width characters that carry no text and are dropped from the key.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// One character as it stands in the key.
fn key_char(c: char) -> char {
    match c {
        '’' | '‘' | '‛' | 'ʼ' | '‚' => '\'',
        '«' | '»' | '“' | '”' | '„' | '‟' | '‹' | '›' => '"',
        other => other,
    }
}

/// The exact-match key of a segment (see the module docs).
pub fn match_key(text: &str) -> String {
    let text = nfc(text);
    let mut key = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut after_opener = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !key.is_empty() && !after_opener;
            continue;
        }
        if is_invisible(c) {
            continue;
        }
        if pending_space && !takes_no_space_before(c) {
            key.push(' ');
        }
        pending_space = false;
        after_opener = takes_no_space_after(c);
        key.push(key_char(c));
    }
    key
}

/// Stable 64-bit FNV-1a hash of a key, as the signed integer SQLite stores.
pub fn key_hash(key: &str) -> i64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    hash as i64
}

/// A language code as memoire stores it: trimmed, lower case, `_` as `-`
/// (`fr`, `fr-ch`, `en-gb`). `None` when it does not look like a BCP 47 tag.
pub fn language_code(code: &str) -> Option<String> {
    let code = code.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = code.split('-');
    let primary = parts.next()?;
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    (primary_ok && rest_ok).then_some(code)
}

/// The primary language of a code: `fr-ch` → `fr`.
pub fn primary_language(code: &str) -> &str {
    code.split('-').next().unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_composes_decomposed_accents() {
        let decomposed = "Gene\u{300}ve";
        assert_eq!(nfc(decomposed), "Genève");
        assert!(matches!(nfc("Genève"), Cow::Borrowed(_)));
    }

    #[test]
    fn key_folds_french_spacing_and_quotes() {
        let french = "«\u{a0}Pourquoi\u{202f}?\u{a0}» a-t-il demandé à l’élu.";
        let plain = "\"Pourquoi?\" a-t-il demandé à l'élu.";
        assert_eq!(match_key(french), match_key(plain));
    }

    #[test]
    fn key_collapses_and_trims_white_space() {
        assert_eq!(
            match_key("  Le   Conseil\tfédéral \n"),
            "Le Conseil fédéral"
        );
        assert_eq!(match_key("3,5\u{a0}%"), "3,5%");
    }

    #[test]
    fn key_keeps_case_digits_and_other_punctuation() {
        assert_ne!(match_key("Le conseil"), match_key("le conseil"));
        assert_ne!(match_key("en 2024."), match_key("en 2025."));
        assert_ne!(match_key("Oui."), match_key("Oui"));
    }

    #[test]
    fn key_hash_is_stable_across_versions() {
        // Pinned: the store indexes these values; changing the function needs
        // a migration that rehashes every row.
        assert_eq!(key_hash(""), 0xcbf2_9ce4_8422_2325_u64 as i64);
        assert_eq!(key_hash("a"), 0xaf63_dc4c_8601_ec8c_u64 as i64);
    }

    #[test]
    fn language_codes_are_normalised_or_refused() {
        assert_eq!(language_code(" FR_ch ").as_deref(), Some("fr-ch"));
        assert_eq!(language_code("en").as_deref(), Some("en"));
        assert_eq!(language_code("français"), None);
        assert_eq!(language_code("f"), None);
        assert_eq!(primary_language("fr-ch"), "fr");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn match_key_is_idempotent(text in "\\PC*") {
            let key = match_key(&text);
            prop_assert_eq!(match_key(&key), key.clone());
            prop_assert_eq!(key.trim(), key.as_str());
        }
    }
}
