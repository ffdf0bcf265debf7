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

use crate::document::{self, Document, Paragraph, Role};
use crate::error::Result;
use crate::fuzzy::{self, Query};
use crate::glossary::{Glossary, MatchKind, Side};
use crate::segment::Segmenter;
use crate::store::{Store, Term, TermStatus};
use crate::text::coded::{self, Outer, Transferred};
use crate::text::{self, Code, CodeKind, Coded, TokenKind};

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
    /// Weights of the payable total.
    pub weights: Weights,
}

/// The match bands of the analysis, in the order translators quote them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    Repetition,
    /// 75–99 % against an earlier sentence of the same article (what
    /// memoQ calls an internal fuzzy match).
    Internal,
    Context,
    Exact,
    Fuzzy95,
    Fuzzy85,
    Fuzzy75,
    Fuzzy50,
    NoMatch,
}

impl Band {
    pub const ALL: [Band; 9] = [
        Band::Repetition,
        Band::Internal,
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

    /// The key of the band in `--weights` (`rep`, `internal`, `101`, `100`,
    /// `95`, `85`, `75`, `50`, `new`).
    pub fn key(self) -> &'static str {
        match self {
            Band::Repetition => "rep",
            Band::Internal => "internal",
            Band::Context => "101",
            Band::Exact => "100",
            Band::Fuzzy95 => "95",
            Band::Fuzzy85 => "85",
            Band::Fuzzy75 => "75",
            Band::Fuzzy50 => "50",
            Band::NoMatch => "new",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::Repetition => "repetitions",
            Band::Internal => "internal fuzzy",
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
    /// The dateline that opens the sentence (« BERNE (ATS) – »), when the
    /// memory was searched without it; it stands untranslated before the
    /// translation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dateline: Option<String>,
    /// The memory pair's inline codes (source, target).
    #[serde(skip)]
    pub memory_source_codes: Vec<Code>,
    #[serde(skip)]
    pub memory_target_codes: Vec<Code>,
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
    /// The nationality found inside or after a title (« russe » in
    /// « ministre russe de la Défense ») and its translations.
    pub modifier: Option<TermModifier>,
}

/// See [`TermHit::modifier`].
#[derive(Debug, Clone, Serialize)]
pub struct TermModifier {
    pub text: String,
    pub entries: Vec<Term>,
}

impl TermHit {
    /// `russe → Russian`, for a title found with a nationality.
    pub fn modifier_line(&self) -> Option<String> {
        let m = self.modifier.as_ref()?;
        let targets: Vec<&str> = m
            .entries
            .iter()
            .filter(|e| e.status != crate::store::TermStatus::Forbidden)
            .map(|e| e.target.as_str())
            .collect();
        Some(format!("{} → {}", m.text, targets.join(" / ")))
    }
}

/// One sentence of the article and its draft translation.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentDraft {
    /// 1-based, in article order.
    pub id: usize,
    /// 1-based number of its paragraph in the document (the line of a
    /// text article).
    pub paragraph: usize,
    pub source: String,
    /// The translation filled in (at or above the threshold), if any.
    pub target: Option<String>,
    /// Inline codes of the source and of the filled translation (ids
    /// numbered per segment, a target code has its source code's id).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_codes: Vec<Code>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub target_codes: Vec<Code>,
    pub band: Band,
    pub suggestion: Option<Suggestion>,
    /// The id of the earlier identical segment, for a repetition.
    pub repetition_of: Option<usize>,
    /// The earlier segment of the article this one nearly repeats, and the
    /// score (an internal fuzzy match, when it beats the memory's).
    pub internal_of: Option<(usize, u8)>,
    pub words: usize,
    /// Characters, white space not counted.
    pub characters: usize,
    pub terms: Vec<TermHit>,
    /// Terminology problems of the filled translation.
    pub warnings: Vec<String>,
    /// The source segments around this one (context for learning back).
    pub prev_source: Option<String>,
    pub next_source: Option<String>,
}

impl SegmentDraft {
    pub fn coded_source(&self) -> Coded {
        Coded {
            text: self.source.clone(),
            codes: self.source_codes.clone(),
        }
    }

    pub fn coded_target(&self) -> Option<Coded> {
        self.target.as_ref().map(|text| Coded {
            text: text.clone(),
            codes: self.target_codes.clone(),
        })
    }

    /// A filled translation a reviewer must check: from a fuzzy match, or
    /// with warnings.
    pub fn needs_check(&self) -> bool {
        self.target.is_some()
            && (self.suggestion.as_ref().is_some_and(|m| m.score < 100)
                || !self.warnings.is_empty())
    }
}

/// A paragraph of the document: where it is, what it is, and what puts its
/// translation back together around its segments.
#[derive(Debug, Clone, Serialize)]
pub struct DraftParagraph {
    pub location: String,
    pub role: Role,
    /// Its segments, as indexes into [`Draft::segments`].
    pub segments: std::ops::Range<usize>,
    /// Codes around the whole paragraph (see [`Coded::hoist`]).
    #[serde(skip)]
    outer: Outer,
    /// What stands between its segments (the spaces after a full stop).
    #[serde(skip)]
    gaps: Vec<String>,
    /// The paragraph's inner content when it has no segment (only codes).
    #[serde(skip)]
    bare: Coded,
}

/// How much each band's words weigh in the payable total (`--weights`):
/// 0 for 101 %, 0.1 for repetitions and 100 %, 0.3 for 95–99 %, 0.6 for
/// 85–94 %, 75–84 % and internal fuzzies, 1 for 50–74 % and new words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Weights(pub Vec<(Band, f64)>);

impl Default for Weights {
    fn default() -> Self {
        Weights(vec![
            (Band::Repetition, 0.1),
            (Band::Internal, 0.6),
            (Band::Context, 0.0),
            (Band::Exact, 0.1),
            (Band::Fuzzy95, 0.3),
            (Band::Fuzzy85, 0.6),
            (Band::Fuzzy75, 0.6),
            (Band::Fuzzy50, 1.0),
            (Band::NoMatch, 1.0),
        ])
    }
}

impl Weights {
    pub fn of(&self, band: Band) -> f64 {
        self.0
            .iter()
            .find(|(b, _)| *b == band)
            .map_or(1.0, |(_, w)| *w)
    }
}

impl std::str::FromStr for Weights {
    type Err = String;
    /// `101=0,100=0.1,95=0.3,85=0.6,75=0.6,50=1,new=1` (bands left out keep
    /// their default).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let mut weights = Weights::default();
        let mut given: Vec<Band> = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = item.split_once('=').ok_or_else(|| {
                if item.chars().all(|c| c.is_ascii_digit()) {
                    format!(
                        "{item:?}: a weight is written with a decimal point (0.5), not a comma, \
                         which separates the bands"
                    )
                } else {
                    format!("{item:?}: write BAND=WEIGHT, e.g. 95=0.3")
                }
            })?;
            let band = Band::ALL
                .into_iter()
                .find(|b| b.key() == key.trim())
                .ok_or_else(|| {
                    let keys: Vec<&str> = Band::ALL.iter().map(|b| b.key()).collect();
                    format!("unknown band {key:?}: use {}", keys.join(", "))
                })?;
            let value: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && (0.0..=100.0).contains(v))
                .ok_or_else(|| format!("{item:?}: the weight must be a number from 0 to 100"))?;
            // -0 is 0.
            let value = value + 0.0;
            if given.contains(&band) {
                return Err(format!("band {key:?} is given twice"));
            }
            given.push(band);
            for entry in weights.0.iter_mut().filter(|(b, _)| *b == band) {
                entry.1 = value;
            }
        }
        Ok(weights)
    }
}

/// Segments, words and characters per band, and the weighted words.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Analysis {
    pub rows: Vec<AnalysisRow>,
    pub segments: usize,
    pub words: usize,
    pub characters: usize,
    /// Words weighted by band (see [`Weights`]): what a client pays for.
    pub weighted_words: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnalysisRow {
    pub band: Band,
    pub label: &'static str,
    pub segments: usize,
    pub words: usize,
    pub characters: usize,
    pub weight: f64,
    pub weighted_words: f64,
}

impl Analysis {
    pub fn of<'a>(segments: impl IntoIterator<Item = &'a SegmentDraft>) -> Analysis {
        Analysis::weighted(segments, &Weights::default())
    }

    pub fn weighted<'a>(
        segments: impl IntoIterator<Item = &'a SegmentDraft>,
        weights: &Weights,
    ) -> Analysis {
        let mut counts: HashMap<Band, (usize, usize, usize)> = HashMap::new();
        for segment in segments {
            let entry = counts.entry(segment.band).or_default();
            entry.0 += 1;
            entry.1 += segment.words;
            entry.2 += segment.characters;
        }
        let rows: Vec<AnalysisRow> = Band::ALL
            .iter()
            .map(|&band| {
                let (segments, words, characters) = counts.get(&band).copied().unwrap_or_default();
                let weight = weights.of(band);
                AnalysisRow {
                    band,
                    label: band.label(),
                    segments,
                    words,
                    characters,
                    weight,
                    weighted_words: round2(words as f64 * weight),
                }
            })
            .collect();
        Analysis::total_of(rows)
    }

    fn total_of(rows: Vec<AnalysisRow>) -> Analysis {
        Analysis {
            segments: rows.iter().map(|r| r.segments).sum(),
            words: rows.iter().map(|r| r.words).sum(),
            characters: rows.iter().map(|r| r.characters).sum(),
            weighted_words: round2(rows.iter().map(|r| r.weighted_words).sum()),
            rows,
        }
    }

    /// The sum of several analyses (the total over files).
    pub fn sum<'a>(parts: impl IntoIterator<Item = &'a Analysis>) -> Analysis {
        let mut rows = Analysis::of([]).rows;
        for part in parts {
            for (row, add) in rows.iter_mut().zip(&part.rows) {
                row.segments += add.segments;
                row.words += add.words;
                row.characters += add.characters;
                row.weight = add.weight;
                row.weighted_words += add.weighted_words;
            }
        }
        Analysis::total_of(rows)
    }
}

/// Weighted words to the hundredth: 0.6 × 101 is 60.6, not
/// 60.599999999999994.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A pre-translated article.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    /// The article's name (file name), used as XLIFF `original`.
    pub name: String,
    pub source_lang: String,
    pub target_lang: String,
    pub threshold: u8,
    pub paragraphs: Vec<DraftParagraph>,
    pub segments: Vec<SegmentDraft>,
    pub analysis: Analysis,
}

impl Draft {
    /// Each paragraph's translation for a document writer: the filled
    /// segments translated, the others left in the source language and
    /// marked [`document::UNTRANSLATED`], joined as they stood, inside the
    /// paragraph's outer codes.
    pub fn paragraph_targets(&self) -> Vec<Coded> {
        self.paragraphs
            .iter()
            .map(|p| {
                let segments = &self.segments[p.segments.clone()];
                if segments.is_empty() {
                    return p.bare.wrap(&p.outer);
                }
                let pieces: Vec<Coded> = segments
                    .iter()
                    .map(|s| match s.coded_target() {
                        Some(target) if s.needs_check() => marked(&target, document::TO_CHECK),
                        Some(target) => target,
                        None => marked(&s.coded_source(), document::UNTRANSLATED),
                    })
                    .collect();
                Coded::join_gaps(&pieces, &p.gaps).wrap(&p.outer)
            })
            .collect()
    }
}

/// `coded` inside a pair of codes of type `ctype` (a mark for the writers:
/// [`document::UNTRANSLATED`], [`document::TO_CHECK`]).
fn marked(coded: &Coded, ctype: &str) -> Coded {
    let mut out = coded.clone();
    let id = out.codes.iter().map(|c| c.id).max().unwrap_or(0) + 1;
    let mark = |kind, at| Code {
        kind,
        id,
        at,
        ctype: Some(ctype.to_string()),
        markup: String::new(),
        isolated: None,
    };
    out.codes.insert(0, mark(CodeKind::Open, 0));
    out.codes.push(mark(CodeKind::Close, out.text.len()));
    out
}

/// Words in a text, as the analysis counts them, the way Trados counts
/// them: a run of letters and digits is a word; hyphens, dots and slashes
/// without spaces join (`Kassym-Jomart`, `a-t-il`, `J.-C.`,
/// `www.admin.ch` are one word each); an elided article or pronoun belongs
/// to the next word (`l'OTSC`, `aujourd'hui`: one word); a number is one
/// word with its separators (`10 000`, `4,2`); punctuation and symbols
/// (`%`, `–`) are not words.
pub fn word_count(text: &str) -> usize {
    let tokens = text::tokens(text);
    let mut count = 0;
    let mut previous_end: Option<usize> = None;
    for token in tokens.iter().filter(|t| t.kind != TokenKind::Punct) {
        let joined = previous_end.is_some_and(|end| {
            let gap = &text[end..token.span.start];
            let elided = text[..end].ends_with(['\'', '’']);
            gap.chars()
                .all(|c| matches!(c, '-' | '‐' | '‑' | '.' | '/'))
                && (elided || !gap.is_empty())
        });
        if !joined {
            count += 1;
        }
        previous_end = Some(token.span.end);
    }
    count
}

/// Characters of a text, white space not counted.
pub fn character_count(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// Pre-translate a plain-text article (one paragraph per line).
pub fn pretranslate(
    store: &Store,
    name: &str,
    article: &str,
    options: &Options<'_>,
) -> Result<Draft> {
    let doc = crate::format::text::TextDocument::read(article.as_bytes())?;
    pretranslate_document(store, name, doc.paragraphs(), options)
}

/// Pre-translate a document's paragraphs against the store's memory and
/// glossary.
pub fn pretranslate_document(
    store: &Store,
    name: &str,
    paragraphs: &[Paragraph],
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
    // Every paragraph cut into its sentences, codes and all.
    let mut draft_paragraphs = Vec::with_capacity(paragraphs.len());
    let mut pieces: Vec<(usize, Coded)> = Vec::new();
    for (k, paragraph) in paragraphs.iter().enumerate() {
        let (outer, inner) = paragraph.content.hoist();
        let ranges = segmenter.split_coded(&inner);
        let split = inner.split(&ranges);
        let gaps = split
            .windows(2)
            .map(|w| inner.text[w[0].0.end..w[1].0.start].to_string())
            .collect();
        let first = pieces.len();
        for (_, mut piece) in split {
            piece.renumber();
            pieces.push((k + 1, piece));
        }
        draft_paragraphs.push(DraftParagraph {
            location: paragraph.location.clone(),
            role: paragraph.role,
            segments: first..pieces.len(),
            outer,
            gaps,
            bare: if first == pieces.len() {
                inner
            } else {
                Coded::default()
            },
        });
    }

    // Each sentence as the scores compare it, made once.
    let scored: Vec<fuzzy::Segment<'_>> = pieces
        .iter()
        .map(|(_, coded)| fuzzy::Segment::new(&coded.text))
        .collect();
    let mut segments: Vec<SegmentDraft> = Vec::with_capacity(pieces.len());
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (k, (paragraph, coded)) in pieces.iter().enumerate() {
        let too_long = scored[k].token_count() > MAX_FUZZY_TOKENS;
        let source = &coded.text;
        let id = k + 1;
        let prev_source = k.checked_sub(1).map(|p| pieces[p].1.text.clone());
        let next_source = pieces.get(k + 1).map(|n| n.1.text.clone());
        // Codes are part of what repeats: the same words with other codes
        // are looked up again.
        let key = text::match_key(&coded.display());
        let repetition_of = first_seen.get(&key).copied();
        first_seen.entry(key).or_insert(id);

        let suggestion = match repetition_of {
            Some(first) => segments[first - 1].suggestion.clone(),
            None => {
                let best = best_suggestion(
                    store,
                    coded,
                    prev_source.as_deref(),
                    next_source.as_deref(),
                    options,
                    too_long,
                )?;
                match best.as_ref().map(|m| m.score) {
                    Some(100..) => best,
                    score => without_dateline(store, coded, options)?
                        .filter(|m| score.is_none_or(|s| m.score > s))
                        .or(best),
                }
            }
        };
        // A near-duplicate of an earlier sentence of the article: counted
        // as an internal fuzzy match when it beats the memory's.
        let internal_of = match repetition_of {
            Some(_) => None,
            None => internal_match(&scored, k)
                .filter(|&(_, score)| suggestion.as_ref().is_none_or(|m| m.score < score)),
        };
        let band = match (repetition_of, internal_of, &suggestion) {
            (Some(_), ..) => Band::Repetition,
            (None, Some(_), _) => Band::Internal,
            (None, None, Some(s)) => Band::of_score(s.score),
            (None, None, None) => Band::NoMatch,
        };
        let filled = suggestion
            .as_ref()
            .filter(|s| s.score >= options.threshold)
            .map(|s| fill(coded, s, &glossary));
        let terms: Vec<TermHit> = glossary
            .find(source)
            .into_iter()
            .map(|f| TermHit {
                text: source[f.start..f.end].to_string(),
                start: f.start,
                end: f.end,
                kind: f.kind,
                entries: f.entries.into_iter().cloned().collect(),
                modifier: f.modifier.map(|m| TermModifier {
                    text: source[m.start..m.end].to_string(),
                    entries: m.entries.into_iter().cloned().collect(),
                }),
            })
            .collect();
        let target = filled.as_ref().map(|t| t.coded.text.clone());
        let mut warnings = target
            .as_deref()
            .map(|t| check_terms(&terms, t, options.target_lang))
            .unwrap_or_default();
        // The sentence as the memory's was compared with it.
        let compared = match suggestion.as_ref().and_then(|m| m.dateline.as_ref()) {
            Some(dateline) => &source[dateline.len()..],
            None => source.as_str(),
        };
        if let (Some(_), Some(m)) = (&target, &suggestion)
            && !m.adjusted
            && numbers(&m.source) != numbers(compared)
        {
            warnings.push(format!(
                "numbers differ from the memory's source ({} here, {} there) and could not be carried over",
                numbers(compared).join(" "),
                numbers(&m.source).join(" ")
            ));
        }
        if let (Some(_), Some(dateline)) = (
            &target,
            suggestion.as_ref().and_then(|m| m.dateline.as_ref()),
        ) {
            warnings.push(format!(
                "the dateline « {} » is kept as in the article: translate it",
                dateline.trim()
            ));
        }
        if too_long {
            warnings.push(format!(
                "a sentence of {} words and marks: too long for fuzzy matching, only an exact \
                 match was looked for",
                scored[k].token_count()
            ));
        }
        if let Some(t) = &filled
            && !t.complete
        {
            warnings.push(
                "inline codes (formatting, links) the memory could not place are at the end of \
                 the translation: put them where they belong"
                    .to_string(),
            );
        }
        segments.push(SegmentDraft {
            id,
            paragraph: *paragraph,
            words: word_count(source),
            characters: character_count(source),
            internal_of,
            source: source.clone(),
            target,
            source_codes: coded.codes.clone(),
            target_codes: filled.map(|t| t.coded.codes).unwrap_or_default(),
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
        analysis: Analysis::weighted(&segments, &options.weights),
        paragraphs: draft_paragraphs,
        segments,
    })
}

/// The memory's translation of `source`, with `source`'s inline codes
/// placed by the memory's (see [`coded::transfer_codes`]).
fn fill(source: &Coded, suggestion: &Suggestion, glossary: &Glossary) -> Transferred {
    // Carrying numbers over moves the text under the memory's codes: then
    // the codes are placed as for a memory without any.
    let memory_target = Coded {
        text: suggestion.target.clone(),
        codes: if suggestion.adjusted {
            Vec::new()
        } else {
            suggestion.memory_target_codes.clone()
        },
    };
    let memory_source = Coded {
        text: suggestion.source.clone(),
        codes: if suggestion.adjusted {
            Vec::new()
        } else {
            suggestion.memory_source_codes.clone()
        },
    };
    if !source.has_codes() {
        return Transferred {
            coded: Coded::plain(memory_target.text),
            complete: true,
        };
    }
    // A pair around a glossary term goes around its translation.
    let counterparts = |text: &str| -> Vec<String> {
        glossary
            .find(text)
            .into_iter()
            .filter(|f| f.start == 0 && f.end == text.len())
            .flat_map(|f| f.entries)
            .filter(|e| e.status != TermStatus::Forbidden)
            .map(|e| e.target.clone())
            .collect()
    };
    coded::transfer_codes_with(source, &memory_source, &memory_target, &counterparts)
}

/// Sentences longer than this many tokens (words and punctuation marks)
/// are looked up exact only: a fuzzy score compares every token with every
/// token, and a 100,000-character line would take minutes.
const MAX_FUZZY_TOKENS: usize = 400;

/// How many sentences back an internal fuzzy match is looked for: a
/// near-duplicate of a sentence further back than that is rare, and the
/// search stays linear in long documents.
const INTERNAL_WINDOW: usize = 500;

/// The earlier segment of the article (1-based id) that segment `k` nearly
/// repeats, scoring 75–99 (100 is a repetition), and the score. Only the
/// last [`INTERNAL_WINDOW`] sentences of similar length are compared.
fn internal_match(scored: &[fuzzy::Segment<'_>], k: usize) -> Option<(usize, u8)> {
    let this = &scored[k];
    let n = this.token_count();
    if n > MAX_FUZZY_TOKENS {
        return None;
    }
    scored[k.saturating_sub(INTERNAL_WINDOW)..k]
        .iter()
        .enumerate()
        .map(|(j, other)| (j + k.saturating_sub(INTERNAL_WINDOW), other))
        // 75 % allows edits on at most a quarter of the longer one's tokens.
        .filter(|(_, other)| {
            let m = other.token_count();
            m <= MAX_FUZZY_TOKENS && n.abs_diff(m) * 4 <= n.max(m)
        })
        .filter_map(|(j, other)| Some((j + 1, fuzzy::score_at_least(other, this, 75)?)))
        .filter(|&(_, score)| score < 100)
        .max_by_key(|&(j, score)| (score, std::cmp::Reverse(j)))
}

/// The best match of a sentence that opens with a dateline (« BERNE (ATS)
/// – »), looked up without it — memories hold sentences without their
/// dateline — with the dateline put back, as it stands, before the
/// translation. `None` when there is no dateline or no match.
fn without_dateline(
    store: &Store,
    coded: &Coded,
    options: &Options<'_>,
) -> Result<Option<Suggestion>> {
    let Some(n) = crate::segment::dateline_len(&coded.text) else {
        return Ok(None);
    };
    // Codes inside the dateline stay with the whole sentence.
    if coded.codes.iter().any(|c| c.at < n) {
        return Ok(None);
    }
    let (dateline, rest) = coded.text.split_at(n);
    let rest = Coded {
        text: rest.to_string(),
        codes: coded
            .codes
            .iter()
            .map(|c| Code {
                at: c.at - n,
                ..c.clone()
            })
            .collect(),
    };
    let found = best_suggestion(store, &rest, None, None, options, false)?;
    Ok(found.map(|mut m| {
        m.score = m.score.min(100);
        m.target = format!("{dateline}{}", m.target);
        m.dateline = Some(dateline.to_string());
        // Its codes (none) and numbers are the memory's for the rest only.
        m.memory_source_codes.clear();
        m.memory_target_codes.clear();
        m
    }))
}

/// The best memory match of a segment (score ≥ 50), 101 when an exact
/// match was translated after the same previous segment (or, for the first
/// segment of a text, before the same next one).
fn best_suggestion(
    store: &Store,
    coded: &Coded,
    prev_source: Option<&str>,
    next_source: Option<&str>,
    options: &Options<'_>,
    exact_only: bool,
) -> Result<Option<Suggestion>> {
    let source = coded.text.as_str();
    let matches = fuzzy::search(
        store,
        &Query {
            text: source,
            source_lang: options.source_lang,
            target_lang: options.target_lang,
            threshold: if exact_only { 100 } else { 50 },
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
        // Codes that differ cost points (a 100 % match becomes 95-99 %).
        score: match coded::code_penalty(coded, &m.pair.coded_source()) {
            0 if in_context(m) => 101,
            0 => m.score,
            penalty => m.score.min(100).saturating_sub(penalty),
        },
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
        memory_source_codes: m.pair.source_codes.clone(),
        memory_target_codes: m.pair.target_codes.clone(),
        dateline: None,
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
/// source should appear through one of its allowed targets (in any
/// inflected form: "called" is "call", "Switzerland's" is
/// "Switzerland"), or be kept as it is in the source (a name such as
/// « Matignon »); no forbidden target should be used.
fn check_terms(terms: &[TermHit], translation: &str, target_lang: &str) -> Vec<String> {
    let have = crate::glossary::word_keys(translation, target_lang);
    let have_source_words = crate::glossary::word_keys(translation, "");
    let within = |words: &[String], haystack: &[String]| {
        !words.is_empty() && haystack.windows(words.len()).any(|w| w == words)
    };
    let contains = |target: &str| within(&crate::glossary::word_keys(target, target_lang), &have);
    let mut warnings = Vec::new();
    for hit in terms {
        let allowed: Vec<&Term> = hit
            .entries
            .iter()
            .filter(|e| e.status != TermStatus::Forbidden)
            .collect();
        let kept = within(
            &crate::glossary::word_keys(&hit.text, ""),
            &have_source_words,
        );
        if !allowed.is_empty() && !kept && !allowed.iter().any(|e| contains(&e.target)) {
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

    #[test]
    fn words_are_counted_as_trados_counts_them() {
        let text = "l'OTSC a-t-il dit : Kassym-Jomart, 10 000 francs, 4,2 % – l’ONU aujourd'hui J.-C. www.admin.ch";
        // l'OTSC, a-t-il, dit, Kassym-Jomart, 10 000, francs, 4,2, l’ONU,
        // aujourd'hui, J.-C., www.admin.ch
        assert_eq!(word_count(text), 11);
        assert_eq!(character_count("Il pleut à Genève."), 15);
    }

    #[test]
    fn weights_parse_and_keep_the_defaults_they_do_not_name() {
        let weights: Weights = "101=0,95=0.25, new=1".parse().unwrap();
        assert_eq!(weights.of(Band::Fuzzy95), 0.25);
        assert_eq!(weights.of(Band::Exact), 0.1);
        assert!("96=1".parse::<Weights>().is_err());
        assert!("95=-1".parse::<Weights>().is_err());
        assert!("95".parse::<Weights>().is_err());
        // Regression (adversarial test, issue 11).
        assert!("100=1e308".parse::<Weights>().is_err());
        assert!("100=0.1,100=0.5".parse::<Weights>().is_err());
        let comma = "100=0,5".parse::<Weights>().unwrap_err();
        assert!(comma.contains("decimal point"), "{comma}");
        let zero: Weights = "100=-0".parse().unwrap();
        assert!(zero.of(Band::Exact).is_sign_positive());
        assert_eq!(round2(0.6 * 101.0), 60.6);
    }

    #[test]
    fn a_near_duplicate_inside_the_article_is_an_internal_fuzzy_match() {
        let texts = [
            "Le Conseil fédéral a adopté mardi le message sur l'armée.",
            "Il pleut.",
            "Le Conseil fédéral a adopté mercredi le message sur l'armée.",
            "Tout autre chose ici.",
            "Il pleut.",
        ];
        let scored: Vec<fuzzy::Segment<'_>> =
            texts.iter().map(|t| fuzzy::Segment::new(t)).collect();
        let (of, score) = internal_match(&scored, 2).unwrap();
        assert_eq!(of, 1);
        assert!((75..100).contains(&score), "{score}");
        assert_eq!(internal_match(&scored, 3), None);
        // The same sentence is a repetition, not an internal fuzzy match.
        assert_eq!(internal_match(&scored, 4), None);
    }

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
                    pos: None,
                    checked: None,
                })
                .collect(),
            modifier: None,
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
        assert!(check_terms(&terms, "The CSTO is currently meeting.", "en").is_empty());
        let francs = [hit("francs", &[("franc", TermStatus::Preferred)])];
        assert!(
            check_terms(&francs, "It cost 10 Swiss francs.", "en").is_empty(),
            "plurals count"
        );
        // Regression (new-user test, issue 11): every past tense and
        // possessive was reported missing.
        let verbs = [
            hit("appelle à", &[("call for", TermStatus::Preferred)]),
            hit("salué", &[("welcome", TermStatus::Preferred)]),
            hit("Suisse", &[("Switzerland", TermStatus::Preferred)]),
        ];
        for translation in [
            "Bern called for restraint and welcomed Switzerland's offer.",
            "Bern is calling for restraint and welcomes Switzerland's offer.",
        ] {
            assert!(
                check_terms(&verbs, translation, "en").is_empty(),
                "{translation}"
            );
        }
        // A name kept as in the source is no missing term.
        let kept = [hit(
            "Matignon",
            &[("Prime Minister's office", TermStatus::Preferred)],
        )];
        assert!(check_terms(&kept, "Matignon said no.", "en").is_empty());
        assert_eq!(
            check_terms(&terms, "The alliance is actually meeting.", "en"),
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
