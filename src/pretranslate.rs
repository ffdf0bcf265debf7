//! Pre-translation: an article in, a draft out.
//!
//! The article (plain UTF-8, one paragraph per line) is segmented with
//! [`crate::segment`]; each segment is then, in order:
//!
//! 1. a **repetition** when an earlier segment of the article has the same
//!    match key: it gets that segment's translation;
//! 2. looked up in the memory ([`crate::fuzzy::search`], threshold 50 so
//!    that the analysis sees every band): an exact match whose stored
//!    context (the previous source segment) is also this segment's previous
//!    segment counts **101 %**; otherwise the best score wins;
//! 3. filled with the best translation when it scores at least the
//!    threshold (numbers adjusted when only numbers differ);
//! 4. annotated with the glossary terms of its source
//!    ([`crate::glossary::Glossary::find`]), and checked: a filled
//!    translation that lacks every allowed target of a term in its source,
//!    or uses a forbidden one, gets a terminology warning.
//!
//! The [`Draft`] is pure data: writers in [`crate::format::xliff`] and
//! [`crate::format::draft`] turn it into XLIFF 2.0 / 1.2, CSV, JSON, text
//! and an HTML report; [`Analysis`] counts segments and words per band.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::fuzzy::{self, Query};
use crate::glossary::{Glossary, MatchKind, Side};
use crate::segment::Segmenter;
use crate::store::{Store, Term, TermStatus};
use crate::text::{self, TokenKind};

/// What to pre-translate against.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    pub source_lang: &'a str,
    pub target_lang: &'a str,
    /// Lowest score filled into the draft (50–100).
    pub threshold: u8,
    /// Split headlines run into their lede, rubrics, metadata prefixes and
    /// credits (see [`crate::segment`]); off: punctuation and line breaks
    /// only.
    pub headline_split: bool,
}

/// The match bands of the analysis, in the order translators quote them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    Repetition,
    Context,
    Exact,
    Fuzzy95,
    Fuzzy85,
    Fuzzy75,
    Fuzzy50,
    NoMatch,
}

impl Band {
    pub const ALL: [Band; 8] = [
        Band::Repetition,
        Band::Context,
        Band::Exact,
        Band::Fuzzy95,
        Band::Fuzzy85,
        Band::Fuzzy75,
        Band::Fuzzy50,
        Band::NoMatch,
    ];

    pub fn of_score(score: u8) -> Band {
        match score {
            101.. => Band::Context,
            100 => Band::Exact,
            95..=99 => Band::Fuzzy95,
            85..=94 => Band::Fuzzy85,
            75..=84 => Band::Fuzzy75,
            50..=74 => Band::Fuzzy50,
            _ => Band::NoMatch,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::Repetition => "repetitions",
            Band::Context => "101 % (context)",
            Band::Exact => "100 %",
            Band::Fuzzy95 => "95–99 %",
            Band::Fuzzy85 => "85–94 %",
            Band::Fuzzy75 => "75–84 %",
            Band::Fuzzy50 => "50–74 %",
            Band::NoMatch => "no match",
        }
    }
}

/// The memory's best answer for a segment.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// 101 for an exact match in the same context.
    pub score: u8,
    pub pair_id: i64,
    /// The memory's source, and its diff against the segment.
    pub source: String,
    pub diff: String,
    pub diff_parts: Vec<crate::fuzzy::DiffPart>,
    /// The translation, with the segment's numbers when only numbers
    /// differ (`adjusted`).
    pub target: String,
    pub adjusted: bool,
    /// The translation as the memory holds it (before numbers are
    /// adjusted): the pair a CAT tool's match panel shows.
    pub memory_target: String,
    pub origin: String,
    /// How many translations the memory holds for that source.
    pub alternatives: usize,
}

/// A glossary term in a segment.
#[derive(Debug, Clone, Serialize)]
pub struct TermHit {
    pub text: String,
    /// Byte range in the segment's source.
    pub start: usize,
    pub end: usize,
    pub kind: MatchKind,
    pub entries: Vec<Term>,
}

/// One sentence of the article and its draft translation.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentDraft {
    /// 1-based, in article order.
    pub id: usize,
    /// 1-based line of the article.
    pub paragraph: usize,
    pub source: String,
    /// The translation filled in (at or above the threshold), if any.
    pub target: Option<String>,
    pub band: Band,
    pub suggestion: Option<Suggestion>,
    /// The id of the earlier identical segment, for a repetition.
    pub repetition_of: Option<usize>,
    pub words: usize,
    pub terms: Vec<TermHit>,
    /// Terminology problems of the filled translation.
    pub warnings: Vec<String>,
    /// The source segments around this one (context for learning back).
    pub prev_source: Option<String>,
    pub next_source: Option<String>,
}

/// Segments and words per band.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Analysis {
    pub rows: Vec<AnalysisRow>,
    pub segments: usize,
    pub words: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnalysisRow {
    pub band: Band,
    pub label: &'static str,
    pub segments: usize,
    pub words: usize,
}

impl Analysis {
    pub fn of<'a>(segments: impl IntoIterator<Item = &'a SegmentDraft>) -> Analysis {
        let mut counts: HashMap<Band, (usize, usize)> = HashMap::new();
        for segment in segments {
            let entry = counts.entry(segment.band).or_default();
            entry.0 += 1;
            entry.1 += segment.words;
        }
        let rows: Vec<AnalysisRow> = Band::ALL
            .iter()
            .map(|&band| {
                let (segments, words) = counts.get(&band).copied().unwrap_or_default();
                AnalysisRow {
                    band,
                    label: band.label(),
                    segments,
                    words,
                }
            })
            .collect();
        Analysis {
            segments: rows.iter().map(|r| r.segments).sum(),
            words: rows.iter().map(|r| r.words).sum(),
            rows,
        }
    }

    /// The sum of several analyses (the total over files).
    pub fn sum<'a>(parts: impl IntoIterator<Item = &'a Analysis>) -> Analysis {
        let mut total = Analysis::of([]);
        for part in parts {
            for (row, add) in total.rows.iter_mut().zip(&part.rows) {
                row.segments += add.segments;
                row.words += add.words;
            }
            total.segments += part.segments;
            total.words += part.words;
        }
        total
    }
}

/// A pre-translated article.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    /// The article's name (file name), used as XLIFF `original`.
    pub name: String,
    pub source_lang: String,
    pub target_lang: String,
    pub threshold: u8,
    pub segments: Vec<SegmentDraft>,
    pub analysis: Analysis,
}

/// Words (and numbers) in a text, as the analysis counts them.
pub fn word_count(text: &str) -> usize {
    text::tokens(text)
        .iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .count()
}

/// Pre-translate `article` against the store's memory and glossary.
pub fn pretranslate(
    store: &Store,
    name: &str,
    article: &str,
    options: &Options<'_>,
) -> Result<Draft> {
    let mut segmenter = Segmenter::for_language(options.source_lang);
    if !options.headline_split {
        segmenter = segmenter.without_headline_rules();
    }
    let glossary = Glossary::new(
        store.terms(options.source_lang, options.target_lang)?,
        Side::Source,
        options.source_lang,
    );
    let pieces: Vec<(usize, String)> = segmenter
        .paragraphs(article)
        .into_iter()
        .flat_map(|p| {
            let number = p.number;
            p.sentences
                .into_iter()
                .map(move |r| (number, article[r].to_string()))
        })
        .collect();

    let mut segments: Vec<SegmentDraft> = Vec::with_capacity(pieces.len());
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (k, (paragraph, source)) in pieces.iter().enumerate() {
        let id = k + 1;
        let prev_source = k.checked_sub(1).map(|p| pieces[p].1.clone());
        let next_source = pieces.get(k + 1).map(|n| n.1.clone());
        let key = text::match_key(source);
        let repetition_of = first_seen.get(&key).copied();
        first_seen.entry(key).or_insert(id);

        let suggestion = match repetition_of {
            Some(first) => segments[first - 1].suggestion.clone(),
            None => best_suggestion(
                store,
                source,
                prev_source.as_deref(),
                next_source.as_deref(),
                options,
            )?,
        };
        let band = match (repetition_of, &suggestion) {
            (Some(_), _) => Band::Repetition,
            (None, Some(s)) => Band::of_score(s.score),
            (None, None) => Band::NoMatch,
        };
        let target = suggestion
            .as_ref()
            .filter(|s| s.score >= options.threshold)
            .map(|s| s.target.clone());
        let terms: Vec<TermHit> = glossary
            .find(source)
            .into_iter()
            .map(|f| TermHit {
                text: source[f.start..f.end].to_string(),
                start: f.start,
                end: f.end,
                kind: f.kind,
                entries: f.entries.into_iter().cloned().collect(),
            })
            .collect();
        let mut warnings = target
            .as_deref()
            .map(|t| check_terms(&terms, t))
            .unwrap_or_default();
        if let (Some(_), Some(m)) = (&target, &suggestion)
            && !m.adjusted
            && numbers(&m.source) != numbers(source)
        {
            warnings.push(format!(
                "numbers differ from the memory's source ({} here, {} there) and could not be carried over",
                numbers(source).join(" "),
                numbers(&m.source).join(" ")
            ));
        }
        segments.push(SegmentDraft {
            id,
            paragraph: *paragraph,
            words: word_count(source),
            source: source.clone(),
            target,
            band,
            suggestion,
            repetition_of,
            terms,
            warnings,
            prev_source,
            next_source,
        });
    }
    Ok(Draft {
        name: name.to_string(),
        source_lang: options.source_lang.to_string(),
        target_lang: options.target_lang.to_string(),
        threshold: options.threshold,
        analysis: Analysis::of(&segments),
        segments,
    })
}

/// The best memory match of a segment (score ≥ 50), 101 when an exact
/// match was translated after the same previous segment (or, for the first
/// segment of a text, before the same next one).
fn best_suggestion(
    store: &Store,
    source: &str,
    prev_source: Option<&str>,
    next_source: Option<&str>,
    options: &Options<'_>,
) -> Result<Option<Suggestion>> {
    let matches = fuzzy::search(
        store,
        &Query {
            text: source,
            source_lang: options.source_lang,
            target_lang: options.target_lang,
            threshold: 50,
            limit: 1,
            exhaustive: false,
        },
    )?;
    let prev_key = prev_source.map(text::match_key);
    let next_key = next_source.map(text::match_key);
    let in_context = |m: &fuzzy::Match| {
        let stored_prev = m.pair.prev_source.as_deref().map(text::match_key);
        let stored_next = m.pair.next_source.as_deref().map(text::match_key);
        m.score == 100
            && match &prev_key {
                Some(_) => stored_prev == prev_key,
                None => stored_prev.is_none() && next_key.is_some() && stored_next == next_key,
            }
    };
    // Among the translations of the best source: the one in context first,
    // then the most recent (the order search gives).
    let best = matches.iter().find(|m| in_context(m)).or(matches.first());
    Ok(best.map(|m| Suggestion {
        score: if in_context(m) { 101 } else { m.score },
        pair_id: m.pair.id,
        source: m.pair.source.clone(),
        diff: m.diff.clone(),
        diff_parts: m.diff_parts.clone(),
        target: m
            .adjusted_target
            .clone()
            .unwrap_or_else(|| m.pair.target.clone()),
        adjusted: m.adjusted_target.is_some(),
        memory_target: m.pair.target.clone(),
        origin: m.pair.origin.clone(),
        alternatives: m.alternatives,
    }))
}

/// The numbers of a text, in order, as written.
fn numbers(text: &str) -> Vec<String> {
    text::tokens(text)
        .into_iter()
        .filter(|t| t.kind == TokenKind::Number)
        .map(|t| text::token_key(&text[t.span]).into_owned())
        .collect()
}

/// Terminology check of a filled translation: every glossary term of the
/// source should appear through one of its allowed targets, and no
/// forbidden target should be used.
fn check_terms(terms: &[TermHit], translation: &str) -> Vec<String> {
    // Folded words, a plural -s dropped: "francs" has the term "franc".
    let folded = |s: &str| {
        text::tokens(s)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Punct)
            .map(|t| {
                let word = text::fold(t.kind, &s[t.span]).into_owned();
                match word.strip_suffix('s') {
                    Some(singular) if singular.chars().count() >= 3 => singular.to_string(),
                    _ => word,
                }
            })
            .collect::<Vec<_>>()
    };
    let have = folded(translation);
    let contains = |target: &str| {
        let want = folded(target);
        !want.is_empty() && have.windows(want.len()).any(|w| w == want.as_slice())
    };
    let mut warnings = Vec::new();
    for hit in terms {
        let allowed: Vec<&Term> = hit
            .entries
            .iter()
            .filter(|e| e.status != TermStatus::Forbidden)
            .collect();
        if !allowed.is_empty() && !allowed.iter().any(|e| contains(&e.target)) {
            let wanted: Vec<&str> = allowed.iter().map(|e| e.target.as_str()).collect();
            warnings.push(format!(
                "{} → {} not in the translation",
                hit.text,
                wanted.join(" / ")
            ));
        }
        for forbidden in hit
            .entries
            .iter()
            .filter(|e| e.status == TermStatus::Forbidden)
        {
            if contains(&forbidden.target) {
                warnings.push(format!(
                    "{} → {} is a forbidden translation",
                    hit.text, forbidden.target
                ));
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(text: &str, entries: &[(&str, TermStatus)]) -> TermHit {
        TermHit {
            text: text.into(),
            start: 0,
            end: text.len(),
            kind: MatchKind::Exact,
            entries: entries
                .iter()
                .map(|(target, status)| Term {
                    id: 0,
                    source_lang: "fr".into(),
                    target_lang: "en".into(),
                    source: text.into(),
                    target: (*target).into(),
                    domain: None,
                    note: None,
                    status: *status,
                    origin: "t".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn terminology_check_flags_missing_and_forbidden_targets() {
        let terms = [
            hit("OTSC", &[("CSTO", TermStatus::Preferred)]),
            hit(
                "actuellement",
                &[
                    ("currently", TermStatus::Preferred),
                    ("actually", TermStatus::Forbidden),
                ],
            ),
        ];
        assert!(check_terms(&terms, "The CSTO is currently meeting.").is_empty());
        let francs = [hit("francs", &[("franc", TermStatus::Preferred)])];
        assert!(
            check_terms(&francs, "It cost 10 Swiss francs.").is_empty(),
            "plurals count"
        );
        assert_eq!(
            check_terms(&terms, "The alliance is actually meeting."),
            [
                "OTSC → CSTO not in the translation",
                "actuellement → currently not in the translation",
                "actuellement → actually is a forbidden translation"
            ]
        );
    }

    #[test]
    fn bands_follow_the_scores() {
        let bands: Vec<Band> = [101, 100, 99, 95, 94, 85, 84, 75, 74, 50, 49]
            .map(Band::of_score)
            .to_vec();
        assert_eq!(
            bands,
            [
                Band::Context,
                Band::Exact,
                Band::Fuzzy95,
                Band::Fuzzy95,
                Band::Fuzzy85,
                Band::Fuzzy85,
                Band::Fuzzy75,
                Band::Fuzzy75,
                Band::Fuzzy50,
                Band::Fuzzy50,
                Band::NoMatch
            ]
        );
    }
}
