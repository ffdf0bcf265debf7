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
//!
//! For fuzzy matching, [`tokens`] cuts a segment into words, numbers and
//! punctuation marks, and [`fold`] gives the form under which two tokens
//! differ only in case, accents or, for numbers, value: lower case without
//! diacritics for words (`État` → `etat`), `#` for every number. The fuzzy
//! index stores folded terms, so changing either function needs a migration
//! that rebuilds the index.

pub mod coded;

pub use coded::{Code, CodeKind, Coded};

use std::borrow::Cow;
use std::ops::Range;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// The text in Unicode NFC; borrowed when it already is (the common case).
pub fn nfc(text: &str) -> Cow<'_, str> {
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    }
}

/// A glossary entry's text as stored: NFC, white space (no-break spaces
/// included) collapsed to one space and trimmed, apostrophes straight
/// (`département d’État` and `département d'État` are one entry).
pub fn term_text(text: &str) -> String {
    let text = nfc(text);
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(
            word.chars()
                .map(|c| if is_apostrophe(c) { '\'' } else { c }),
        );
    }
    out
}

/// A character memoire never stores nor writes: control characters other
/// than tab and line breaks (XML 1.0 cannot hold C0 controls, and C1
/// controls are mojibake), and the 66 Unicode non-characters (U+FFFE,
/// U+FFFF, U+FDD0–U+FDEF, the last two of every plane), which XML forbids
/// or discourages and other tools refuse; and a byte-order mark (U+FEFF)
/// inside a text, which is invisible, breaks exact matches, and marks two
/// files glued together.
pub fn forbidden_char(c: char) -> bool {
    let code = c as u32;
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || (0xFDD0..=0xFDEF).contains(&code)
        || code & 0xFFFE == 0xFFFE
        || c == '\u{feff}'
}

/// What a translator is told about a [`forbidden_char`].
pub fn describe_forbidden(c: char) -> String {
    if c == '\u{feff}' {
        return "a byte-order mark (U+FEFF) inside the text: two files glued together? \
                (it is invisible and would break exact matches)"
            .to_string();
    }
    let kind = if c.is_control() {
        "control character"
    } else {
        "non-character"
    };
    format!(
        "{kind} U+{:04X} in the text (XML files cannot hold it)",
        c as u32
    )
}

/// `text` without [`forbidden_char`]s, each replaced by U+FFFD; borrowed
/// when there is none (the common case). For writers of XML, where such a
/// character would make the file unreadable.
pub fn without_forbidden(text: &str) -> Cow<'_, str> {
    if text.chars().any(forbidden_char) {
        Cow::Owned(
            text.chars()
                .map(|c| if forbidden_char(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
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

/// Append markup text (HTML, XML) to `out` as a reader sees it: a run of
/// white space that holds a line break or a tab — a source line wrapped
/// inside a paragraph — is one space. Runs of plain spaces are kept.
pub fn push_wrapped_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(start) = rest.find(['\n', '\r', '\t']) {
        let before = rest[..start].trim_end_matches(' ');
        out.push_str(before);
        let after = rest[start..].trim_start_matches([' ', '\n', '\r', '\t']);
        out.push(' ');
        rest = after;
    }
    out.push_str(rest);
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

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, or letters and digits (`Genève`, `l'`, `14h30`, `G7`).
    Word,
    /// Digits, with inner separators (`2025`, `10’000`, `3,5`, `12.50`).
    Number,
    /// Any other visible character, one token each.
    Punct,
}

/// A token: its kind and its byte span in the text it was cut from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Range<usize>,
}

/// The apostrophes [`key_char`] maps to `'`.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '‛' | 'ʼ' | '‚')
}

/// Separators inside a number: `10’000`, `3,5`, `12.50`, `1 200` with a
/// no-break space.
fn is_number_separator(c: char) -> bool {
    matches!(c, '.' | ',' | '’' | '\'' | '\u{a0}' | '\u{202f}')
}

/// Cut `text` into words, numbers and punctuation (white space dropped).
/// A word ending in an apostrophe followed by a letter keeps it: French
/// elision gives `l'` `OTSC`, `aujourd'` `hui`. Hyphens are punctuation.
/// A number keeps its separators, including a space (of any kind) before a
/// group of three digits: `10 000`, `10\u{a0}000` and `10’000` are one
/// number each. Zero-width characters and combining marks stay inside the
/// word they touch. Segments with the same [`match_key`] get the same
/// tokens (up to the spelling of apostrophes and spaces), which the fuzzy
/// index relies on.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() || is_invisible(c) {
            continue;
        }
        if !is_word_char(c) {
            out.push(Token {
                kind: TokenKind::Punct,
                span: start..start + c.len_utf8(),
            });
            continue;
        }
        let mut end = start + c.len_utf8();
        let mut all_digits = c.is_ascii_digit();
        // Digits since the last separator of a number.
        let mut group = usize::from(all_digits);
        while let Some(&(i, next)) = chars.peek() {
            if is_word_char(next) || is_invisible(next) || is_combining_mark(next) {
                if is_word_char(next) {
                    all_digits &= next.is_ascii_digit();
                    group += 1;
                }
                end = i + next.len_utf8();
                chars.next();
                continue;
            }
            let rest = &text[i + next.len_utf8()..];
            if all_digits
                && is_number_separator(next)
                && rest.starts_with(|a: char| a.is_ascii_digit())
            {
                end = i + next.len_utf8();
                group = 0;
                chars.next();
                continue;
            }
            if all_digits && next.is_whitespace() && group <= 3 && starts_with_digit_group(rest) {
                while chars.peek().is_some_and(|&(_, w)| w.is_whitespace()) {
                    chars.next();
                }
                group = 0;
                continue;
            }
            if !all_digits && is_apostrophe(next) && rest.starts_with(char::is_alphabetic) {
                end = i + next.len_utf8();
                chars.next();
            }
            break;
        }
        let kind = if all_digits {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        out.push(Token {
            kind,
            span: start..end,
        });
    }
    out
}

/// Letters and digits, but not `ʼ` (U+02BC), a letter to Unicode and an
/// apostrophe to French typists.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_apostrophe(c)
}

/// Does `rest` (after white space) start with exactly three digits?
fn starts_with_digit_group(rest: &str) -> bool {
    let rest = rest.trim_start_matches(char::is_whitespace);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits == 3 && !rest[3..].starts_with(char::is_alphanumeric)
}

/// A token's text as keys compare it: apostrophes and quotes in one style,
/// zero-width characters dropped, white space inside numbers as one space.
pub fn token_key(token: &str) -> Cow<'_, str> {
    let plain = token
        .chars()
        .all(|c| key_char(c) == c && !is_invisible(c) && !c.is_whitespace());
    if plain {
        return Cow::Borrowed(token);
    }
    let mut key = String::with_capacity(token.len());
    for c in token.chars().filter(|&c| !is_invisible(c)) {
        if c.is_whitespace() {
            if !key.ends_with(' ') {
                key.push(' ');
            }
        } else {
            key.push(key_char(c));
        }
    }
    Cow::Owned(key)
}

/// The folded form of a token (see the module docs): what the fuzzy index
/// stores and what decides that two tokens differ only in a minor way.
pub fn fold(kind: TokenKind, text: &str) -> Cow<'_, str> {
    match kind {
        TokenKind::Number => Cow::Borrowed("#"),
        TokenKind::Punct => match text.chars().next() {
            Some(c) if key_char(c) != c => Cow::Owned(key_char(c).to_string()),
            _ => Cow::Borrowed(text),
        },
        TokenKind::Word
            if text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
        {
            Cow::Borrowed(text)
        }
        TokenKind::Word => {
            let mut folded = String::with_capacity(text.len());
            for c in text
                .nfd()
                .filter(|&c| !is_combining_mark(c) && !is_invisible(c))
            {
                match c {
                    'œ' | 'Œ' => folded.push_str("oe"),
                    'æ' | 'Æ' => folded.push_str("ae"),
                    c if is_apostrophe(c) => folded.push('\''),
                    c => folded.extend(c.to_lowercase()),
                }
            }
            Cow::Owned(folded)
        }
    }
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

/// The two-letter language codes of ISO 639-1.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce \
    ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv \
    ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr \
    ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn \
    no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so \
    sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh \
    yi yo za zh zu";

/// Whether a code from [`language_code`] names a language: its first
/// part is one of ISO 639-1's two-letter codes, or a three-letter code
/// (ISO 639-2 and 639-3 have thousands: `gsw` for Swiss German) other
/// than those that name no language (`und`, `mul`, `zxx`, `mis`, the
/// private `qaa`–`qtz`); then at most a script (`hans`) and a region
/// (`ch`, `419`), not one of the private-use ones (`aa`, `qm`–`qz`,
/// `xa`–`xz`, `zz`). So a typing slip (`xx`, `fr-qq`) does not open a new
/// language pair in a shared memory. (Three-letter codes are not looked
/// up: `xxx` passes.)
pub fn known_language(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or("");
    let primary_ok = match primary.len() {
        2 => ISO_639_1.split_whitespace().any(|c| c == primary),
        3 => {
            let private =
                primary.starts_with('q') && (b'a'..=b't').contains(&primary.as_bytes()[1]);
            !(private || matches!(primary, "und" | "mul" | "zxx" | "mis"))
        }
        _ => false,
    };
    let letters = |p: &str| p.bytes().all(|b| b.is_ascii_lowercase());
    let private_region = |p: &str| {
        let b = p.as_bytes();
        p == "aa" || p == "zz" || (b[0] == b'q' && b[1] >= b'm') || b[0] == b'x'
    };
    let rest: Vec<&str> = parts.collect();
    let mut at = 0;
    if rest.get(at).is_some_and(|p| p.len() == 4 && letters(p)) {
        at += 1; // a script
    }
    if let Some(p) = rest.get(at) {
        let region = (p.len() == 2 && letters(p) && !private_region(p))
            || (p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()));
        if !region {
            return false;
        }
        at += 1;
    }
    primary_ok && at == rest.len()
}

/// The primary language of a code: `fr-ch` → `fr`.
pub fn primary_language(code: &str) -> &str {
    code.split('-').next().unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glossary_texts_are_stored_in_one_spelling() {
        assert_eq!(term_text(" département d’État "), "département d'État");
        assert_eq!(term_text("Conseil\u{a0} fédéral"), "Conseil fédéral");
        assert_eq!(term_text("Conseil  fédéral"), "Conseil fédéral");
    }

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

    fn cut(text: &str) -> Vec<(TokenKind, &str)> {
        tokens(text)
            .into_iter()
            .map(|t| (t.kind, &text[t.span]))
            .collect()
    }

    #[test]
    fn tokens_are_words_numbers_and_punctuation() {
        use TokenKind::*;
        assert_eq!(
            cut("L’OTSC a versé 10’000 francs (3,5\u{a0}%) à 14h30."),
            [
                (Word, "L’"),
                (Word, "OTSC"),
                (Word, "a"),
                (Word, "versé"),
                (Number, "10’000"),
                (Word, "francs"),
                (Punct, "("),
                (Number, "3,5"),
                (Punct, "%"),
                (Punct, ")"),
                (Word, "à"),
                (Word, "14h30"),
                (Punct, "."),
            ]
        );
        assert_eq!(
            cut("« Qui ? » a-t-il dit, l'an 2025."),
            [
                (Punct, "«"),
                (Word, "Qui"),
                (Punct, "?"),
                (Punct, "»"),
                (Word, "a"),
                (Punct, "-"),
                (Word, "t"),
                (Punct, "-"),
                (Word, "il"),
                (Word, "dit"),
                (Punct, ","),
                (Word, "l'"),
                (Word, "an"),
                (Number, "2025"),
                (Punct, "."),
            ]
        );
    }

    #[test]
    fn segments_with_the_same_key_get_the_same_tokens() {
        // Regression: the fuzzy index missed 100 % matches whose key was
        // equal but whose tokens differed (NBSP in numbers, ʼ, zero-width).
        let keys = |text: &str| -> Vec<String> {
            tokens(text)
                .into_iter()
                .map(|t| token_key(&text[t.span]).into_owned())
                .collect()
        };
        for (a, b) in [
            ("Il a reçu 10 000 francs.", "Il a reçu 10\u{a0}000 francs."),
            (
                "Il a reçu 10 000 francs.",
                "Il a reçu 10\u{202f}000 francs.",
            ),
            ("L'OTSC s'est réunie.", "LʼOTSC sʼest réunie."),
            ("L'OTSC s'est réunie.", "L‛OTSC s‚est réunie."),
            ("Leconseil siège.", "Le\u{200b}conseil siège."),
        ] {
            assert_eq!(match_key(a), match_key(b));
            assert_eq!(keys(a), keys(b), "{a:?} / {b:?}");
        }
        assert_eq!(
            cut("en 2024 200 personnes"),
            [
                (TokenKind::Word, "en"),
                (TokenKind::Number, "2024"),
                (TokenKind::Number, "200"),
                (TokenKind::Word, "personnes"),
            ]
        );
        assert_eq!(cut("1 200 000 francs")[0], (TokenKind::Number, "1 200 000"));
    }

    #[test]
    fn folding_drops_case_accents_and_number_values() {
        assert_eq!(fold(TokenKind::Word, "État"), "etat");
        assert_eq!(fold(TokenKind::Word, "L’"), "l'");
        assert_eq!(fold(TokenKind::Word, "Œuvre"), "oeuvre");
        assert_eq!(fold(TokenKind::Number, "10’000"), "#");
        assert_eq!(fold(TokenKind::Punct, "»"), "\"");
        assert!(matches!(fold(TokenKind::Word, "vote"), Cow::Borrowed(_)));
    }

    #[test]
    fn language_codes_are_normalised_or_refused() {
        assert_eq!(language_code(" FR_ch ").as_deref(), Some("fr-ch"));
        assert_eq!(language_code("en").as_deref(), Some("en"));
        assert_eq!(language_code("français"), None);
        assert_eq!(language_code("f"), None);
        assert_eq!(primary_language("fr-ch"), "fr");
    }

    /// A new user's report (issue 13): `"src": "xx"` opened a new language
    /// pair in the desk's memory.
    #[test]
    fn only_real_languages_are_known() {
        for code in [
            "fr", "en", "fr-ch", "en-gb", "de", "it", "rm", "gsw", "zh-hans", "pt-br",
        ] {
            assert!(known_language(code), "{code}");
        }
        for code in ["xx", "qq", "zz-top", "q", "abcd", ""] {
            assert!(!known_language(code), "{code}");
        }
        // The adversary's (issue 13): junk after a real language, and
        // three-letter codes that name no language.
        for code in [
            "fr-qqqqqqqq",
            "fr-zz-top",
            "fr-x-private",
            "en-xx",
            "fr-qq",
            "fr-ch-ch",
            "und",
            "mul",
            "zxx",
            "qaa",
        ] {
            assert!(!known_language(code), "{code}");
        }
        for code in ["es-419", "zh-hant-tw", "sr-latn", "fr-be"] {
            assert!(known_language(code), "{code}");
        }
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

    #[test]
    fn wrapped_markup_lines_are_one_space() {
        let mut out = String::from("Les");
        push_wrapped_text(&mut out, "\n\tentretiens ont porté  sur\r\n   la sécurité");
        assert_eq!(out, "Les entretiens ont porté  sur la sécurité");
        let mut out = String::new();
        push_wrapped_text(&mut out, "sans retour");
        assert_eq!(out, "sans retour");
    }
}
