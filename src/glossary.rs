//! The glossary: term pairs, looking terms up, and finding them in text.
//!
//! Terms live in the store ([`crate::store::Term`]); a [`Glossary`] is built
//! in memory from one language pair's terms (a 10,000-entry glossary takes
//! a few milliseconds) and answers two questions:
//!
//! * **[`Glossary::lookup`]** — which entries answer a fragment a translator
//!   typed: exact, up to case and accents, inflected (French plural and
//!   feminine endings by rule — « émeutes » finds « émeute », « fédéraux »
//!   « fédéral » — other languages through their Snowball stemmer),
//!   containing the fragment's
//!   words (« Conseil » finds « Conseil fédéral »), or a name spelt
//!   differently (Jaro-Winkler similarity: « Choigou » finds « Choïgou »).
//! * **[`Glossary::find`]** — which terms occur in a text, with byte spans:
//!   words are compared folded (lower case, no accents) through a token
//!   trie, the longest term wins, then inflected forms through a second
//!   trie of stems. Words of a term may be separated by any white space
//!   (no-break spaces, line breaks) or by hyphens, dots or slashes without
//!   spaces; other punctuation ends a term. Elided articles are their own
//!   words (`l'OTSC`, `d'Almaty`), so terms after them are found.
//!
//! Three rules keep recognition precise on news text: a term word in
//! capitals (an acronym: `CE`, `UE`, `ONU`) only matches the same capitals,
//! so the pronoun « ce » is not the Council of Europe; a one-word term with
//! a capital (a name: « Berne », « Poutine ») only matches a word with a
//! capital, so « il berne ses électeurs » holds no place name; and a capital
//! inside a term (« Le Centre », « Les Républicains ») must be there in the
//! text, so « le centre de Lausanne » is not the party.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use crate::error::{Error, Kind, Result};
use crate::store::{NewTerm, Store, Term, TermBatch, TermStatus};
use crate::text::{self, TokenKind};

/// Origin label of the entries of the shipped glossary.
pub const SHIPPED_ORIGIN: &str = "memoire fr-en news glossary";

/// The shipped French–English news glossary (`glossary/fr-en-news.csv`).
const SHIPPED_CSV: &str = include_str!("../glossary/fr-en-news.csv");

/// An entry of the shipped glossary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedTerm {
    pub source: String,
    pub target: String,
    pub domain: Option<String>,
    pub note: Option<String>,
    pub status: TermStatus,
    pub pos: Option<String>,
    pub checked: Option<String>,
}

/// The entries of the shipped glossary, fr → en.
pub fn shipped() -> Result<Vec<ShippedTerm>> {
    let mut reader = csv::Reader::from_reader(SHIPPED_CSV.as_bytes());
    let bad = |why: String| {
        Error::new(
            Kind::Input,
            format!("the shipped glossary is damaged: {why}"),
        )
    };
    let mut terms = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let cell = |i: usize| {
            record
                .get(i)
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
        };
        terms.push(ShippedTerm {
            source: cell(0).ok_or_else(|| bad("empty source".into()))?,
            target: cell(1).ok_or_else(|| bad("empty target".into()))?,
            domain: cell(2),
            note: cell(3),
            status: cell(4)
                .as_deref()
                .unwrap_or("preferred")
                .parse()
                .map_err(bad)?,
            pos: cell(5),
            checked: cell(6),
        });
    }
    Ok(terms)
}

/// Put the shipped glossary (fr → en) into a batch of terms. Returns how
/// many entries were new.
pub fn add_shipped(batch: &mut TermBatch<'_>) -> Result<usize> {
    let mut added = 0;
    for term in &shipped()? {
        let new = batch.add(&NewTerm {
            source_lang: "fr",
            target_lang: "en",
            source: &term.source,
            target: &term.target,
            domain: term.domain.as_deref(),
            note: term.note.as_deref(),
            status: term.status,
            origin: SHIPPED_ORIGIN,
            pos: term.pos.as_deref(),
            checked: term.checked.as_deref(),
        })?;
        added += usize::from(new == crate::store::TermAdded::New);
    }
    Ok(added)
}

/// Open the memory at `path` for writing; a new memory gets the shipped
/// glossary, when `with_shipped`, in the same transaction that creates it,
/// so that no memory ever exists without it.
pub fn open_for_writing(path: &Path, with_shipped: bool) -> Result<Store> {
    let seed = |batch: &mut TermBatch<'_>| add_shipped(batch).map(drop);
    Store::create_or_open(
        path,
        with_shipped.then_some(&seed as crate::store::Seed<'_>),
    )
}

/// Which side of the term pairs is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Source,
    /// From the translation back (`term lookup --reverse`).
    Target,
}

/// How a term was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// Written exactly as in the glossary (spacing aside).
    Exact,
    /// Differs in case or accents only (« Etat » for « État »).
    CaseOrAccents,
    /// An inflected form: plural, feminine (« émeutes » for « émeute »).
    Inflected,
    /// The fragment's words are part of the term (lookup only).
    Partial,
    /// A similar spelling (lookup only): names transliterated differently.
    Fuzzy,
}

impl MatchKind {
    pub fn describe(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::CaseOrAccents => "case or accents",
            MatchKind::Inflected => "inflected form",
            MatchKind::Partial => "part of the term",
            MatchKind::Fuzzy => "similar spelling",
        }
    }
}

/// A word of a term or a text: its span and its two keys.
#[derive(Debug, Clone)]
struct Word {
    span: Range<usize>,
    fold: String,
    stem: String,
    /// All capitals, two letters or more: an acronym.
    acronym: bool,
    capitalised: bool,
}

/// How a language's inflected forms are brought together.
enum Inflection {
    /// French: rules for plural and feminine forms (see [`french_base`]).
    French,
    /// Another language: its Snowball stemmer.
    Snowball(Stemmer),
}

impl Inflection {
    fn for_language(lang: &str) -> Option<Inflection> {
        let algorithm = match text::primary_language(lang) {
            "fr" => return Some(Inflection::French),
            "en" => Algorithm::English,
            "de" => Algorithm::German,
            "it" => Algorithm::Italian,
            "es" => Algorithm::Spanish,
            "pt" => Algorithm::Portuguese,
            "nl" => Algorithm::Dutch,
            "ru" => Algorithm::Russian,
            _ => return None,
        };
        Some(Inflection::Snowball(Stemmer::create(algorithm)))
    }

    /// The key shared by a word's inflected forms (lower case, no accents).
    fn key(&self, word: &str) -> String {
        let lower = word.to_lowercase().replace('’', "'");
        let base = match self {
            Inflection::French => french_base(&lower),
            Inflection::Snowball(stemmer) => stemmer.stem(&lower).into_owned(),
        };
        text::fold(TokenKind::Word, &base).into_owned()
    }
}

/// A French word without its plural and feminine endings: « émeutes » →
/// « émeut », « fédéraux » → « fédéral », « présidente » → « président »,
/// « européennes » → « européen », « négociée » → « négocié ». Only
/// nominal and adjectival endings are removed, never verb endings:
/// Snowball's stemmer also joins « appelé » to « appel » and « négociée »
/// to « négociations », which recognition must not.
fn french_base(word: &str) -> String {
    let mut w = word.to_string();
    if w.chars().count() <= 3 {
        return w;
    }
    if w.ends_with("eaux") {
        w.pop();
    } else if let Some(stem) = w.strip_suffix("aux") {
        w = format!("{stem}al");
    } else if w.ends_with('s') || w.ends_with('x') {
        w.pop();
    }
    const FEMININE: [(&str, &str); 7] = [
        ("euse", "eu"),
        ("eux", "eu"),
        ("ive", "if"),
        ("elle", "el"),
        ("enne", "en"),
        ("onne", "on"),
        ("ère", "er"),
    ];
    for (ending, base) in FEMININE {
        if let Some(stem) = w.strip_suffix(ending) {
            return format!("{stem}{base}");
        }
    }
    if w.ends_with('e') && w.chars().count() > 3 {
        w.pop();
    }
    w
}

/// Words (and numbers) of `text` with their keys.
fn words(text: &str, inflection: Option<&Inflection>) -> Vec<Word> {
    text::tokens(text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .map(|t| {
            let surface = &text[t.span.clone()];
            let fold = match t.kind {
                TokenKind::Number => surface.to_string(),
                _ => text::fold(t.kind, surface).into_owned(),
            };
            let stem = match inflection {
                Some(inflection) if t.kind == TokenKind::Word && !fold.ends_with('\'') => {
                    inflection.key(surface)
                }
                _ => fold.clone(),
            };
            let letters = || surface.chars().filter(|c| c.is_alphabetic());
            Word {
                span: t.span,
                fold,
                stem,
                acronym: letters().count() >= 2 && letters().all(char::is_uppercase),
                capitalised: surface.chars().next().is_some_and(char::is_uppercase),
            }
        })
        .collect()
}

/// May two consecutive words of a text belong to one term? Yes when only
/// white space separates them, or hyphens, dots or slashes with no space
/// (`Kassym-Jomart`, `S.A.`, `Bosnie-Herzégovine`).
fn joinable(gap: &str) -> bool {
    gap.chars().all(char::is_whitespace)
        || gap
            .chars()
            .all(|c| matches!(c, '-' | '‐' | '‑' | '.' | '/'))
}

/// A trie over word keys; each node lists the terms that end there.
#[derive(Debug, Default)]
struct Trie {
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    next: HashMap<Box<str>, usize>,
    terms: Vec<usize>,
}

impl Trie {
    fn insert<'a>(&mut self, keys: impl Iterator<Item = &'a str>, term: usize) {
        if self.nodes.is_empty() {
            self.nodes.push(Node::default());
        }
        let mut at = 0;
        for key in keys {
            at = match self.nodes[at].next.get(key) {
                Some(&next) => next,
                None => {
                    self.nodes.push(Node::default());
                    let next = self.nodes.len() - 1;
                    self.nodes[at].next.insert(key.into(), next);
                    next
                }
            };
        }
        self.nodes[at].terms.push(term);
    }

    /// Every (word count, terms) of terms spelt by the words from `start`,
    /// shortest first.
    fn walk<'t>(
        &'t self,
        text: &str,
        words: &[Word],
        start: usize,
        key: impl Fn(&Word) -> &str,
    ) -> Vec<(usize, &'t [usize])> {
        let mut found = Vec::new();
        let mut at = 0;
        for (i, word) in words.iter().enumerate().skip(start) {
            if i > start && !joinable(&text[words[i - 1].span.end..word.span.start]) {
                break;
            }
            match self.nodes.get(at).and_then(|n| n.next.get(key(word))) {
                Some(&next) => at = next,
                None => break,
            }
            if !self.nodes[at].terms.is_empty() {
                found.push((i + 1 - start, self.nodes[at].terms.as_slice()));
            }
        }
        found
    }
}

/// A term found in a text.
#[derive(Debug, Clone, Serialize)]
pub struct Found<'g> {
    /// Byte range of the term in the text.
    pub start: usize,
    pub end: usize,
    pub kind: MatchKind,
    /// Every entry for what was found (several targets, or a forbidden one).
    pub entries: Vec<&'g Term>,
}

/// An entry that answers a lookup.
#[derive(Debug, Clone, Serialize)]
pub struct LookupHit<'g> {
    pub kind: MatchKind,
    /// Jaro-Winkler similarity of the folded texts, 0–1.
    pub similarity: f64,
    #[serde(flatten)]
    pub entry: &'g Term,
}

/// One language pair's glossary, ready for lookups and recognition.
pub struct Glossary {
    terms: Vec<Term>,
    side: Side,
    inflection: Option<Inflection>,
    /// The searched side of each term, cut into words.
    words: Vec<Vec<Word>>,
    folds: Trie,
    stems: Trie,
}

impl Glossary {
    /// Index `terms` for searching their `side`, whose language is `lang`.
    pub fn new(terms: Vec<Term>, side: Side, lang: &str) -> Glossary {
        let inflection = Inflection::for_language(lang);
        let (mut folds, mut stems) = (Trie::default(), Trie::default());
        let words: Vec<Vec<Word>> = terms
            .iter()
            .map(|term| {
                let text = match side {
                    Side::Source => &term.source,
                    Side::Target => &term.target,
                };
                words(text, inflection.as_ref())
            })
            .collect();
        for (i, term_words) in words.iter().enumerate() {
            if term_words.is_empty() {
                continue;
            }
            folds.insert(term_words.iter().map(|w| w.fold.as_str()), i);
            stems.insert(term_words.iter().map(|w| w.stem.as_str()), i);
        }
        Glossary {
            terms,
            side,
            inflection,
            words,
            folds,
            stems,
        }
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    fn searched<'a>(&self, term: &'a Term) -> &'a str {
        match self.side {
            Side::Source => &term.source,
            Side::Target => &term.target,
        }
    }

    /// Does the text's words `at..at + n` satisfy term `i`'s case rules
    /// (acronyms in the same capitals, one-word names with a capital)?
    fn case_fits(&self, i: usize, text: &str, found: &[Word]) -> bool {
        let term_words = &self.words[i];
        let term_text = self.searched(&self.terms[i]);
        if term_words.len() == 1 && term_words[0].capitalised && !found[0].capitalised {
            return false;
        }
        term_words.iter().zip(found).enumerate().all(|(i, (t, w))| {
            let acronym_kept = !t.acronym || term_text[t.span.clone()] == text[w.span.clone()];
            // A capital inside a term marks a proper name (« Le Centre »,
            // « Les Républicains »): « le centre de Lausanne » is not it.
            let capital_kept = i == 0 || !t.capitalised || w.capitalised;
            acronym_kept && capital_kept
        })
    }

    /// The terms in `text`, in order, longest first where they overlap.
    pub fn find(&self, text: &str) -> Vec<Found<'_>> {
        let words = words(text, self.inflection.as_ref());
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            match self.best_at(text, &words, i) {
                Some((n, kind, entries)) => {
                    out.push(Found {
                        start: words[i].span.start,
                        end: words[i + n - 1].span.end,
                        kind,
                        entries,
                    });
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }

    /// The longest term starting at word `i`: by folded words first, then by
    /// stems; on equal length the folded match wins.
    fn best_at(
        &self,
        text: &str,
        words: &[Word],
        i: usize,
    ) -> Option<(usize, MatchKind, Vec<&Term>)> {
        let fitting = |n: usize, ids: &[usize]| -> Vec<usize> {
            ids.iter()
                .copied()
                .filter(|&t| self.case_fits(t, text, &words[i..i + n]))
                .collect()
        };
        let longest = |trie: &Trie, key: fn(&Word) -> &str| {
            trie.walk(text, words, i, key)
                .into_iter()
                .rev()
                .map(|(n, ids)| (n, fitting(n, ids)))
                .find(|(_, ids)| !ids.is_empty())
        };
        let by_fold = longest(&self.folds, |w| &w.fold);
        let by_stem = longest(&self.stems, |w| &w.stem);
        let (n, ids, inflected) = match (by_fold, by_stem) {
            (Some((n, ids)), Some((m, _))) if n >= m => (n, ids, false),
            (_, Some((m, ids))) => (m, ids, true),
            (Some((n, ids)), None) => (n, ids, false),
            (None, None) => return None,
        };
        let span = &text[words[i].span.start..words[i + n - 1].span.end];
        // Different terms may share stems (« conseiller fédéral » and
        // « Conseil fédéral »): keep the ones spelt closest to the text.
        let ids = if inflected {
            let folded = |ws: &[Word]| {
                ws.iter()
                    .map(|w| w.fold.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let here = folded(&words[i..i + n]);
            let closeness = |t: usize| strsim::jaro_winkler(&here, &folded(&self.words[t]));
            let best = ids.iter().map(|&t| closeness(t)).fold(0.0, f64::max);
            ids.into_iter().filter(|&t| closeness(t) == best).collect()
        } else {
            ids
        };
        let kind = if inflected {
            MatchKind::Inflected
        } else if ids
            .iter()
            .any(|&t| text::match_key(self.searched(&self.terms[t])) == text::match_key(span))
        {
            MatchKind::Exact
        } else {
            MatchKind::CaseOrAccents
        };
        Some((n, kind, ids.into_iter().map(|t| &self.terms[t]).collect()))
    }

    /// Entries answering a fragment, best first (exact, case or accents,
    /// inflected, part of the term, similar spelling), at most `limit`.
    pub fn lookup(&self, query: &str, limit: usize) -> Vec<LookupHit<'_>> {
        let query_words = words(query, self.inflection.as_ref());
        if query_words.is_empty() {
            return Vec::new();
        }
        let joined = |ws: &[Word]| {
            ws.iter()
                .map(|w| w.fold.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let query_folded = joined(&query_words);
        let query_key = text::match_key(query);
        let name_query = query.trim_start().starts_with(char::is_uppercase);
        let mut hits: Vec<LookupHit<'_>> = Vec::new();
        for (i, term) in self.terms.iter().enumerate() {
            let term_words = &self.words[i];
            let same = |key: fn(&Word) -> &str| {
                term_words.len() == query_words.len()
                    && term_words
                        .iter()
                        .zip(&query_words)
                        .all(|(a, b)| key(a) == key(b))
            };
            let term_folded = joined(term_words);
            let similarity = strsim::jaro_winkler(&query_folded, &term_folded);
            let kind = if text::match_key(self.searched(term)) == query_key {
                MatchKind::Exact
            } else if same(|w| &w.fold) {
                MatchKind::CaseOrAccents
            } else if same(|w| &w.stem) {
                MatchKind::Inflected
            } else if term_words.len() > query_words.len()
                && term_words.windows(query_words.len()).any(|window| {
                    window
                        .iter()
                        .zip(&query_words)
                        .all(|(a, b)| a.stem == b.stem)
                })
            {
                MatchKind::Partial
            } else if query_folded.chars().count() >= 3
                && similarity >= 0.85
                && (!name_query || self.searched(term).starts_with(char::is_uppercase))
            {
                // A capitalised query is a name: its similar spellings are
                // names too (`Blinken` is not « blindé »).
                MatchKind::Fuzzy
            } else {
                continue;
            };
            hits.push(LookupHit {
                kind,
                similarity,
                entry: term,
            });
        }
        hits.sort_by(|a, b| {
            a.kind
                .cmp(&b.kind)
                .then(b.similarity.total_cmp(&a.similarity))
                .then(a.entry.id.cmp(&b.entry.id))
        });
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(id: i64, source: &str, target: &str, status: TermStatus) -> Term {
        Term {
            id,
            source_lang: "fr".into(),
            target_lang: "en".into(),
            source: source.into(),
            target: target.into(),
            domain: None,
            note: None,
            status,
            origin: "test".into(),
            pos: None,
            checked: None,
        }
    }

    fn glossary() -> Glossary {
        let entries = [
            ("OTSC", "CSTO"),
            (
                "Organisation du traité de sécurité collective",
                "Collective Security Treaty Organization",
            ),
            ("Tokaïev", "Tokayev"),
            ("Almaty", "Almaty"),
            ("département d'État", "State Department"),
            ("État", "state"),
            ("émeute", "riot"),
            ("Conseil fédéral", "Federal Council"),
            ("conseiller fédéral", "Federal Councillor"),
            ("CE", "Council of Europe"),
            ("Berne", "Bern"),
            ("Choïgou", "Shoigu"),
            ("Kassym-Jomart Tokaïev", "Kassym-Jomart Tokayev"),
        ];
        let mut terms: Vec<Term> = entries
            .iter()
            .enumerate()
            .map(|(i, (s, t))| term(i as i64 + 1, s, t, TermStatus::Preferred))
            .collect();
        terms.push(term(99, "actuellement", "actually", TermStatus::Forbidden));
        terms.push(term(
            100,
            "actuellement",
            "currently",
            TermStatus::Preferred,
        ));
        Glossary::new(terms, Side::Source, "fr")
    }

    /// (found text, first entry's target, kind) for each term in `text`.
    fn found(g: &Glossary, text: &str) -> Vec<(String, String, MatchKind)> {
        g.find(text)
            .into_iter()
            .map(|f| {
                (
                    text[f.start..f.end].to_string(),
                    f.entries[0].target.clone(),
                    f.kind,
                )
            })
            .collect()
    }

    #[test]
    fn terms_are_found_across_elision_case_accents_and_inflection() {
        let g = glossary();
        assert_eq!(
            found(
                &g,
                "Le président Tokaïev a reçu l'OTSC à Almaty, puis d’Almaty il a gagné Berne."
            ),
            [
                ("Tokaïev".into(), "Tokayev".into(), MatchKind::Exact),
                ("OTSC".into(), "CSTO".into(), MatchKind::Exact),
                ("Almaty".into(), "Almaty".into(), MatchKind::Exact),
                ("Almaty".into(), "Almaty".into(), MatchKind::Exact),
                ("Berne".into(), "Bern".into(), MatchKind::Exact),
            ]
        );
        let hits = found(&g, "Le departement d'Etat condamne des émeutes.");
        assert_eq!(
            hits[0],
            (
                "departement d'Etat".into(),
                "State Department".into(),
                MatchKind::CaseOrAccents
            )
        );
        assert_eq!(
            hits[1],
            ("émeutes".into(), "riot".into(), MatchKind::Inflected)
        );
    }

    #[test]
    fn the_longest_term_wins_and_spacing_does_not_matter() {
        let g = glossary();
        let text =
            "Kassym-Jomart\u{a0}Tokaïev et l’Organisation du traité\nde sécurité collective.";
        let hits = found(&g, text);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(hits[0].1, "Kassym-Jomart Tokayev");
        assert_eq!(hits[1].1, "Collective Security Treaty Organization");
    }

    #[test]
    fn acronyms_and_one_word_names_keep_their_capitals() {
        let g = glossary();
        assert!(
            found(&g, "Ce que le ministre berne, ce n'est pas l'État.")
                .iter()
                .all(|(text, _, _)| text == "État")
        );
        assert_eq!(found(&g, "La CE a siégé.")[0].1, "Council of Europe");
    }

    #[test]
    fn a_term_does_not_run_across_a_sentence_end() {
        let g = glossary();
        let hits = found(&g, "Il a parlé au Conseil. Fédéral, le système l'est.");
        assert!(
            hits.iter()
                .all(|(_, target, _)| target != "Federal Council"),
            "{hits:?}"
        );
        assert_eq!(
            found(&g, "Les conseillers fédéraux votent.")[0].1,
            "Federal Councillor"
        );
    }

    #[test]
    fn all_entries_of_a_source_come_together_with_their_status() {
        let g = glossary();
        let hits = g.find("Il est actuellement à Berne.");
        let statuses: Vec<TermStatus> = hits[0].entries.iter().map(|t| t.status).collect();
        assert_eq!(statuses, [TermStatus::Forbidden, TermStatus::Preferred]);
    }

    #[test]
    fn lookup_by_fragment_inflection_and_similar_spelling() {
        let g = glossary();
        let kinds = |q: &str| -> Vec<(String, MatchKind)> {
            g.lookup(q, 5)
                .into_iter()
                .map(|h| (h.entry.source.clone(), h.kind))
                .collect()
        };
        assert_eq!(kinds("OTSC")[0], ("OTSC".into(), MatchKind::Exact));
        assert_eq!(kinds("otsc")[0], ("OTSC".into(), MatchKind::CaseOrAccents));
        assert_eq!(kinds("émeutes")[0], ("émeute".into(), MatchKind::Inflected));
        assert_eq!(
            kinds("Choigou")[0],
            ("Choïgou".into(), MatchKind::CaseOrAccents)
        );
        assert_eq!(kinds("Choïgu")[0], ("Choïgou".into(), MatchKind::Fuzzy));
        assert!(kinds("Conseil").contains(&("Conseil fédéral".into(), MatchKind::Partial)));
        assert!(kinds("zzz").is_empty());
    }

    #[test]
    fn french_plural_and_feminine_forms_share_a_base() {
        for (a, b) in [
            ("émeutes", "émeute"),
            ("fédéraux", "fédéral"),
            ("présidente", "président"),
            ("européennes", "européen"),
            ("officielles", "officiel"),
            ("actives", "actif"),
            ("premières", "premier"),
            ("heureuses", "heureux"),
            ("bureaux", "bureau"),
        ] {
            assert_eq!(french_base(a), french_base(b), "{a} / {b}");
        }
        // Verb forms stay apart from nouns.
        assert_ne!(french_base("appelé"), french_base("appel"));
        assert_ne!(french_base("négociée"), french_base("négociations"));
    }

    #[test]
    fn reverse_lookup_searches_the_translations() {
        let terms = vec![term(
            1,
            "Conseil fédéral",
            "Federal Council",
            TermStatus::Preferred,
        )];
        let g = Glossary::new(terms, Side::Target, "en");
        assert_eq!(
            g.lookup("federal councils", 5)[0].kind,
            MatchKind::Inflected
        );
    }

    #[test]
    fn the_shipped_glossary_parses_completely() {
        let terms = shipped().expect("every row of glossary/fr-en-news.csv is valid");
        assert!(terms.len() >= 300, "{} entries", terms.len());
        let mut pairs: Vec<(&str, &str)> = terms
            .iter()
            .map(|t| (t.source.as_str(), t.target.as_str()))
            .collect();
        pairs.sort_unstable();
        let before = pairs.len();
        pairs.dedup();
        assert_eq!(pairs.len(), before, "no pair twice");
    }
}
