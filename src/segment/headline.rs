//! News lines as they arrive from web pages and wires: a metadata prefix
//! (`date 2022-01`), a rubric before a dash (`Diplomatie –`), a headline
//! run into its lede on one line, a credit at the end (`AFP`). Each becomes
//! its own segment, found without punctuation to go by:
//!
//! 1. **Metadata prefix**: at the start of a line, a label from
//!    `[metadata]` (`date`, `publié le`, `mis à jour le`…) followed by a
//!    date or time (`2022-01`, `12 janvier 2022 à 10h30`).
//! 2. **Rubric** (kicker): at the start of the line, one to four words
//!    starting with a capital — not all in capitals, which is a dateline
//!    (`GENÈVE (AFP) –` stays with its sentence) — then a spaced dash and
//!    a capitalised word. `France – Allemagne : …`, a pair of names before
//!    a colon or comma, is not a rubric.
//! 3. **Headline run into its lede**: in the first sentence of the line,
//!    within its first 30 words, a capitalised word from `[headline
//!    starters]` (a determiner, pronoun or preposition: `Le`, `Les`, `Il`,
//!    `Selon`, `Au`…, or an elided `L'`, `D'`, `Qu'`…)
//!    after a word that can end a headline. It is *not* a boundary:
//!    - inside « guillemets » or quotes (a title);
//!    - after a word a headline never ends with, listed in `[headline
//!      stops]`: articles, prepositions, conjunctions, pronouns, auxiliaries,
//!      and nouns that introduce a title (`film`, `roman`, `quotidien`);
//!    - after punctuation other than a closing quote or bracket, or after a
//!      list mark (`(2)`, `iii)`);
//!    - for a starter marked `~` (articles: `Le`, `La`, `Les`, `Au`, `Il`),
//!      before a capitalised word: `Le Monde`, `La Haye`, `Le Caire`, `Les
//!      Républicains`, `Au Bonheur des dames`, `Il Sole 24 Ore`, and
//!      surname particles (`Marine Le Pen`);
//!    - where a phrase from `[headline exceptions]` starts.
//!
//!    A headline followed by a lede that starts with a name (`Inondations
//!    meurtrières Emmanuel Macron se rend…`) is not split: a name after a
//!    lower-case word is, far more often, an apposition (`le président
//!    français Emmanuel Macron`) or an object (`a reçu Emmanuel Macron`).
//! 4. **Credit**: at the end of the line, after a word without
//!    punctuation, a credit from `[credits]` (`AFP`, `(ATS)`, `Reuters`,
//!    `AFP/Reuters`).
//!
//! Everything else stays as the punctuation rules left it; `memoire
//! segment --no-headline-split` (and `pretranslate --no-headline-split`)
//! turns these rules off, and a rules file can extend every list.

use std::collections::{HashMap, HashSet};

/// Longest headline, in words, before its lede.
const MAX_HEADLINE_WORDS: usize = 30;

/// The news rules of a segmenter.
#[derive(Clone, Debug, Default)]
pub(super) struct HeadlineRules {
    /// Capitalised words that start a lede; `true`: not before a
    /// capitalised word (an article that is part of a name or title).
    starters: HashMap<Box<str>, bool>,
    /// Elided starters (`L`, `D`, `Qu`), before a lower-case word.
    elided: HashSet<Box<str>>,
    /// Words a headline never ends with, lower case.
    stops: HashSet<Box<str>>,
    /// Phrases never split before.
    exceptions: Vec<Box<str>>,
    /// Agency credits (`AFP`, `ATS`), matched without case.
    credits: HashSet<Box<str>>,
    /// Labels of metadata prefixes (`date`, `publié le`), lower case.
    metadata: Vec<Box<str>>,
}

/// A section of the rules file that belongs to these rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Section {
    Starters,
    Stops,
    Exceptions,
    Credits,
    Metadata,
}

impl Section {
    pub(super) fn named(name: &str) -> Option<Section> {
        Some(match name {
            "headline starters" => Section::Starters,
            "headline stops" => Section::Stops,
            "headline exceptions" => Section::Exceptions,
            "credits" => Section::Credits,
            "metadata" => Section::Metadata,
            _ => return None,
        })
    }
}

impl HeadlineRules {
    /// Add one line of a section.
    pub(super) fn add(&mut self, section: Section, line: &str) -> Result<(), String> {
        match section {
            Section::Starters => {
                let (word, marker) = super::word_and_marker(line)?;
                let article = match marker {
                    None => false,
                    Some("~") => true,
                    Some(m) => return Err(format!("unknown marker {m:?} (use ~)")),
                };
                match word.strip_suffix(['\'', '’']) {
                    Some(stem) => {
                        self.elided.insert(stem.into());
                    }
                    None => {
                        self.starters.insert(word.into(), article);
                    }
                }
            }
            Section::Stops => {
                for word in line.split_whitespace() {
                    self.stops.insert(word.to_lowercase().into());
                }
            }
            Section::Exceptions => self.exceptions.push(line.into()),
            Section::Credits => {
                for word in line.split_whitespace() {
                    self.credits.insert(word.to_lowercase().into());
                }
            }
            Section::Metadata => self.metadata.push(line.to_lowercase().into()),
        }
        Ok(())
    }

    /// Cut positions (byte offsets into `line`) that these rules add to a
    /// line whose punctuation boundaries are `bounds` (sorted, each the
    /// start of a sentence after the first).
    pub(super) fn cuts(&self, line: &str, bounds: &[usize]) -> Vec<usize> {
        let mut cuts = Vec::new();
        let first_end = bounds.first().copied().unwrap_or(line.len());
        let mut start = skip_space(line, 0);
        if let Some(end) = self.metadata_prefix(&line[start..first_end]) {
            start = skip_space(line, start + end);
            cuts.push(start);
        }
        if let Some(end) = rubric(self, &line[start..first_end]) {
            start = skip_space(line, start + end);
            cuts.push(start);
        }
        if let Some(at) = self.lede(&line[start..first_end]) {
            cuts.push(start + at);
        }
        for (k, &from) in bounds.iter().enumerate() {
            let to = bounds.get(k + 1).copied().unwrap_or(line.len());
            if let Some(at) = self.lede(&line[from..to]) {
                cuts.push(from + at);
            }
        }
        let last_start = bounds.last().copied().unwrap_or(0).max(start);
        if let Some(at) = self.credit(&line[last_start..]) {
            cuts.push(last_start + at);
        }
        cuts.retain(|&c| c > 0 && c < line.len());
        cuts
    }

    /// `date 2022-01 …`: the length of the prefix, if the text starts with
    /// a metadata label and a date and goes on after it.
    fn metadata_prefix(&self, text: &str) -> Option<usize> {
        // Labels are lower-case words: most lines are rejected here.
        if !text.starts_with(char::is_lowercase) {
            return None;
        }
        let head = text.chars().take(24).collect::<String>().to_lowercase();
        let label = self
            .metadata
            .iter()
            .filter(|label| {
                head.starts_with(&***label) && head[label.len()..].starts_with(char::is_whitespace)
            })
            .map(|label| label.len())
            .max()?;
        // The date: tokens of digits and separators, month names, `à`, `le`.
        let mut end = None;
        let mut taken = 0;
        for (at, token) in word_spans(text).skip_while(|&(at, _)| at < label) {
            let clean = token.trim_end_matches([',', ';']);
            if is_date_token(clean) {
                end = Some(at + clean.len());
                taken += 1;
            } else if matches!(clean, "à" | "le" | "h") && taken > 0 {
                continue;
            } else {
                break;
            }
            if taken >= 6 {
                break;
            }
        }
        let end = end?;
        // What follows starts a headline or a sentence: a capital (not a
        // comma, not a lower-case word: « publié le 12 mars, le rapport… »
        // is one sentence).
        let rest = text[end..].trim_start();
        rest.starts_with(|c: char| c.is_uppercase() || matches!(c, '«' | '"' | '“'))
            .then_some(end)
    }

    /// The start of the lede, if a headline runs into it.
    fn lede(&self, text: &str) -> Option<usize> {
        let bytes = text.as_bytes();
        let mut spaces = 0;
        // Candidates are words after an ASCII space that start with a
        // capital; everything else is checked only for them, since this
        // runs on every sentence.
        for i in 1..bytes.len() {
            if !bytes[i - 1].is_ascii_whitespace() || bytes[i].is_ascii_whitespace() {
                continue;
            }
            spaces += 1;
            if spaces > MAX_HEADLINE_WORDS {
                return None;
            }
            let capital = bytes[i].is_ascii_uppercase()
                || (bytes[i] == 0xC3 && bytes.get(i + 1).is_some_and(|b| (0x80..0x9F).contains(b)));
            if !capital {
                continue;
            }
            let rest = &text[i..];
            let word = rest
                .split(|c: char| c.is_ascii_whitespace())
                .next()
                .unwrap_or(rest);
            if !self.may_start_lede(word) {
                continue;
            }
            let mut after = rest[word.len()..].split_ascii_whitespace();
            let (Some(next), Some(_)) = (after.next(), after.next()) else {
                return None;
            };
            let before = text[..i].trim_end();
            let previous = before.rsplit(|c: char| c.is_ascii_whitespace()).next()?;
            if self.starts_lede(word, next, previous)
                && self.can_end_headline(previous)
                && !in_quotes(before)
                && !self.exceptions.iter().any(|e| rest.starts_with(&**e))
            {
                return Some(i);
            }
        }
        None
    }

    /// Can `word` be the last word of a headline?
    fn can_end_headline(&self, word: &str) -> bool {
        let Some(last) = word.chars().last() else {
            return false;
        };
        if !(last.is_alphanumeric() || matches!(last, '»' | '”' | ')')) {
            return false;
        }
        if is_list_mark(word) || word.chars().all(|c| matches!(c, '»' | '”' | '"' | ')')) {
            return false;
        }
        // `(fr)`: a language or country code, not the end of a headline.
        if word.starts_with('(') && word.len() <= 5 {
            return false;
        }
        let bare = word.trim_end_matches(['»', '”', ')']);
        let bare = match bare.rfind(['\'', '’']) {
            Some(p) => &bare[p + bare[p..].chars().next().map_or(1, char::len_utf8)..],
            None => bare,
        };
        let mut buf = [0u8; 64];
        match lowercase_into(bare, &mut buf) {
            Some(lower) => !self.stops.contains(lower),
            None => true,
        }
    }

    /// Is `word` a starter at all (the quick test, before the context)?
    fn may_start_lede(&self, word: &str) -> bool {
        match word.find(['\'', '’']) {
            Some(p) => self.elided.contains(&word[..p]),
            None => self.starters.contains_key(word),
        }
    }

    /// Does `word` (followed by `next`) start a lede?
    fn starts_lede(&self, word: &str, next: &str, previous: &str) -> bool {
        let next = next.trim_start_matches(['«', '"', '“', '(']);
        let next_capital = next.starts_with(char::is_uppercase);
        // `À CONNAÎTRE AVANT…`: a heading in capitals, not a lede.
        let letters = || next.chars().filter(|c| c.is_alphabetic());
        if letters().count() >= 2 && !letters().any(char::is_lowercase) {
            return false;
        }
        if let Some(p) = word.find(['\'', '’']) {
            // `D'importantes données…`; `sanctions L'Union européenne…`,
            // but not after a name (`Pré L'Evêque`, a place) nor in
            // capitals (`VOIE(S) D'ADMINISTRATION`).
            let (stem, rest) = (&word[..p], &word[p..]);
            let rest = &rest[rest.chars().next().map_or(1, char::len_utf8)..];
            let capital = rest.starts_with(char::is_uppercase);
            let shouting = rest.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && !rest.chars().any(char::is_lowercase);
            return self.elided.contains(stem)
                && rest.starts_with(char::is_alphabetic)
                && !shouting
                && !(capital && previous.starts_with(char::is_uppercase));
        }
        match self.starters.get(word) {
            Some(&article) => !(article && next_capital),
            None => false,
        }
    }

    /// The start of a credit that ends the text, after a word without
    /// punctuation.
    fn credit(&self, text: &str) -> Option<usize> {
        let text = text.trim_end();
        // The quick test: a credit starts with a capital or a bracket.
        let last_start = text.rfind(|c: char| c.is_ascii_whitespace())? + 1;
        if !matches!(text.as_bytes().get(last_start), Some(b'A'..=b'Z' | b'(')) {
            return None;
        }
        let mut from_end = text.rsplit(char::is_whitespace).filter(|w| !w.is_empty());
        let last = from_end.next()?;
        let previous = from_end.next()?;
        from_end.next()?; // a sentence of at least three words
        let bare = last.trim_start_matches('(').trim_end_matches(')');
        if bare.is_empty() || bare.len() > 32 {
            return None;
        }
        let parenthesised = bare.len() + 2 == last.len();
        // A bare credit is written with a capital (`AFP`, `Reuters`); in
        // brackets any case (`(afp)`).
        if !(parenthesised || bare.starts_with(char::is_uppercase)) {
            return None;
        }
        let known = bare.split(['/', '-']).all(|part| {
            let mut buf = [0u8; 64];
            lowercase_into(part, &mut buf).is_some_and(|p| self.credits.contains(p))
        });
        // `a indiqué à Reuters`, `selon l'AFP`, `selon l'agence Reuters`,
        // `à l'agence allemande DPA`: the agency is a source.
        let words: Vec<&str> = text
            .rsplit(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .skip(1)
            .take(3)
            .collect();
        let cited = words.iter().any(|w| {
            let w = w.to_lowercase().replace('’', "'");
            let bare = w.rsplit('\'').next().unwrap_or(&w);
            matches!(
                bare,
                "agence" | "dépêche" | "selon" | "auprès" | "correspondant"
            )
        });
        (known && !cited && self.can_end_headline(previous)).then(|| text.len() - last.len())
    }
}

/// Is a quotation or a title open at the end of `text`: more `«` than
/// `»` (or `“` than `”`), or an odd number of `"`?
fn in_quotes(text: &str) -> bool {
    let (mut guillemets, mut ascii) = (0i32, 0u32);
    for c in text.chars() {
        match c {
            '«' | '“' => guillemets += 1,
            '»' | '”' => guillemets -= 1,
            '"' => ascii += 1,
            _ => {}
        }
    }
    guillemets > 0 || ascii % 2 == 1
}

/// `word` in lower case, written into `buf`; `None` when it does not fit.
fn lowercase_into<'b>(word: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let mut len = 0;
    for c in word.chars().flat_map(char::to_lowercase) {
        let n = c.len_utf8();
        c.encode_utf8(buf.get_mut(len..len + n)?);
        len += n;
    }
    std::str::from_utf8(&buf[..len]).ok()
}

/// `Diplomatie – Washington…`: the length of the rubric and its dash.
fn rubric(rules: &HeadlineRules, text: &str) -> Option<usize> {
    let mut cut = text.len().min(160);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    if !head.contains(" – ") && !head.contains(" — ") {
        return None;
    }
    let mut words = [(0usize, ""); 8];
    let mut count = 0;
    for span in word_spans(text).take(words.len()) {
        words[count] = span;
        count += 1;
    }
    let words = &words[..count];
    // En and em dashes only: a spaced hyphen is far more often a list or a
    // heading of a reference section (`Références - Un an…`).
    let dash = words.iter().position(|&(_, w)| matches!(w, "–" | "—"))?;
    if !(1..=4).contains(&dash) || words.len() < dash + 4 {
        return None;
    }
    let kicker = &words[..dash];
    let first = kicker[0].1;
    let all_caps = kicker
        .iter()
        .all(|(_, w)| !w.chars().any(char::is_lowercase));
    let plain = kicker.iter().all(|(_, w)| {
        w.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '\'' | '’'))
    });
    if !first.starts_with(char::is_uppercase) || all_caps || !plain {
        return None;
    }
    // `Le train Genève – Lausanne…`: a sentence, not a rubric.
    if rules.starters.contains_key(first) || first.contains(['\'', '’']) {
        return None;
    }
    let after = words[dash + 1].1;
    if !after.starts_with(char::is_uppercase) {
        return None;
    }
    // `France – Allemagne : …`, `Genève – Lausanne, …`: a pair of names.
    let then = words[dash + 2].1;
    if after.ends_with([',', ':']) || matches!(then, ":" | "," | "–" | "-") {
        return None;
    }
    let (at, dash_word) = words[dash];
    Some(at + dash_word.len())
}

/// Words of `text` separated by white space, with their byte offsets.
fn word_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

fn skip_space(line: &str, from: usize) -> usize {
    from + (line[from..].len() - line[from..].trim_start().len())
}

/// `(2)`, `2)`, `iii)`, `b)`: a list mark.
fn is_list_mark(word: &str) -> bool {
    let inner = word.strip_prefix('(').unwrap_or(word);
    let Some(inner) = inner.strip_suffix([')', '.']) else {
        return false;
    };
    !inner.is_empty()
        && inner.len() <= 4
        && (inner.bytes().all(|b| b.is_ascii_digit())
            || inner.bytes().all(|b| b"ivxlc".contains(&b))
            || (inner.len() == 1 && inner.bytes().all(|b| b.is_ascii_lowercase())))
}

/// A token of a date or time: `2022-01`, `12.01.2022`, `10h30`, `12`,
/// `janvier`.
fn is_date_token(token: &str) -> bool {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let lower = token.to_lowercase();
    if MONTHS.contains(&lower.as_str()) {
        return true;
    }
    token.starts_with(|c: char| c.is_ascii_digit())
        && token.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '-' | '.' | '/' | ':' | 'h' | 'H' | 'T' | 'Z')
        })
}

#[cfg(test)]
mod tests {
    use super::super::Segmenter;

    fn fr(text: &str) -> Vec<&str> {
        Segmenter::french().sentences(text).collect()
    }

    #[test]
    fn the_afp_line_of_the_issue_splits_in_four() {
        // Verbatim from the issue: date, rubric, headline and lede on one
        // line of a web-scraped dispatch.
        let line = "date 2022-01 Diplomatie – Washington appelle Moscou à quitter «rapidement» le \
                    Kazakhstan Le président Kassym-Jomart Tokaïev avait fait appel à des forces \
                    russes pour ramener le calme…";
        assert_eq!(
            fr(line),
            [
                "date 2022-01",
                "Diplomatie –",
                "Washington appelle Moscou à quitter «rapidement» le Kazakhstan",
                "Le président Kassym-Jomart Tokaïev avait fait appel à des forces russes pour \
                 ramener le calme…"
            ]
        );
    }

    #[test]
    fn names_and_titles_are_not_ledes() {
        for text in [
            "Le quotidien Le Monde a révélé l'affaire mardi.",
            "La Cour internationale de justice siège à La Haye depuis 1946.",
            "Marine Le Pen a été reçue au Caire.",
            "Les députés Les Républicains ont voté contre le texte.",
            "Il a lu « Le Rouge et le Noir » pendant le confinement.",
            "Le journal italien Il Sole 24 Ore cite une source à Rome.",
            "GENÈVE (AFP) – Le Conseil fédéral a reçu mardi le président kazakh.",
            "France – Allemagne : les Bleus s'imposent au bout du suspense.",
        ] {
            assert_eq!(fr(text), [text]);
        }
    }

    #[test]
    fn an_agency_cited_as_a_source_and_a_lower_case_date_stay_in_their_sentence() {
        // Regression (adversarial test, issue 11).
        for text in [
            "Moscou dément, selon l'agence Reuters",
            "a-t-il confié à l'agence allemande DPA",
            "Le Kremlin dément selon une dépêche AFP",
            "publié le 12 mars 2024 à 10h30, le rapport a fait grand bruit.",
            "date 2022 a été une année record.",
        ] {
            assert_eq!(fr(text), [text]);
        }
    }

    #[test]
    fn a_credit_at_the_end_is_its_own_segment() {
        assert_eq!(
            fr("Les secours sont toujours sur place (AFP)"),
            ["Les secours sont toujours sur place", "(AFP)"]
        );
        assert_eq!(
            fr("Le bilan provisoire fait état de trois blessés AFP/Reuters"),
            [
                "Le bilan provisoire fait état de trois blessés",
                "AFP/Reuters"
            ]
        );
        let stays = "Le dirigeant a confié sa colère à l'AFP";
        assert_eq!(fr(stays), [stays]);
    }

    #[test]
    fn the_rules_can_be_turned_off() {
        let seg = Segmenter::french().without_headline_rules();
        let line = "Séisme meurtrier en Turquie Au moins 40 personnes ont été tuées lundi.";
        assert_eq!(seg.sentences(line).collect::<Vec<_>>(), [line]);
        assert_eq!(
            fr(line),
            [
                "Séisme meurtrier en Turquie",
                "Au moins 40 personnes ont été tuées lundi."
            ]
        );
    }
}
