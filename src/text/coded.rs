//! The one segment model every module shares: plain text plus inline codes.
//!
//! A [`Coded`] segment is its text — exactly what a translator reads, what
//! the keys, tokens and the fuzzy index see — and the inline codes that
//! stand at byte offsets in it: paired [`CodeKind::Open`] / [`CodeKind::Close`]
//! codes (bold, a link) and [`CodeKind::Standalone`] ones (a line break, an
//! image, a footnote mark). Each code keeps the markup it came from aside,
//! so the writer of the same format puts it back unchanged; `ctype` says
//! what it is in the words exchange formats share (`bold`, `italic`,
//! `underline`, `link`, `image`, `break`, `x-…`).
//!
//! Codes never count as words: a match that differs only in its codes is
//! scored by [`code_penalty`] (95–99 %), and a translation taken from the
//! memory gets the new segment's codes through [`transfer_codes`].

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// What an inline code is to the text around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeKind {
    /// Opens a span (`<b>`, `<a href>`): closed by the [`CodeKind::Close`]
    /// with the same id.
    Open,
    Close,
    /// Stands alone (`<br/>`, an image, a tab, a footnote reference).
    Standalone,
}

/// One inline code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub kind: CodeKind,
    /// Numbers the codes of a segment from 1; an open and its close share
    /// theirs.
    pub id: u32,
    /// Byte offset in the text where the code stands.
    pub at: usize,
    /// What the code stands for (`bold`, `italic`, `underline`, `link`,
    /// `image`, `break`, `x-…`), when the format says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctype: Option<String>,
    /// The markup the code came from, in its format (`<b>`, a Word run's
    /// properties), for the writer of that format.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub markup: String,
    /// A standalone code that is really one end of a pair the segment does
    /// not hold whole (TMX `it`, XLIFF `bx`/`ex`): a bold that began in the
    /// sentence before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolated: Option<Isolated>,
}

/// Which end of a pair an isolated code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Isolated {
    Begin,
    End,
}

/// A segment: text and the inline codes in it, in text order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coded {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<Code>,
}

impl Coded {
    /// Text without codes.
    pub fn plain(text: impl Into<String>) -> Coded {
        Coded {
            text: text.into(),
            codes: Vec::new(),
        }
    }

    pub fn has_codes(&self) -> bool {
        !self.codes.is_empty()
    }

    /// Check the invariants every reader must give: codes in text order, on
    /// character boundaries inside the text, every open code closed once
    /// after it with properly nested spans, no id used twice. The error
    /// says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let mut open: Vec<u32> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut last = 0;
        for code in &self.codes {
            if code.at < last {
                return Err(format!("code {} out of order", code.id));
            }
            last = code.at;
            if code.at > self.text.len() || !self.text.is_char_boundary(code.at) {
                return Err(format!("code {} outside the text", code.id));
            }
            match code.kind {
                CodeKind::Open | CodeKind::Standalone => {
                    if !seen.insert(code.id) {
                        return Err(format!("code id {} used twice", code.id));
                    }
                    if code.kind == CodeKind::Open {
                        open.push(code.id);
                    }
                }
                CodeKind::Close => {
                    if open.pop() != Some(code.id) {
                        return Err(format!("closing code {} does not match", code.id));
                    }
                }
            }
        }
        match open.last() {
            Some(id) => Err(format!("code {id} is never closed")),
            None => Ok(()),
        }
    }

    /// The segment as a translator reads it in plain-text outputs: `{1}`
    /// opens, `{/1}` closes, `{1/}` stands alone.
    pub fn display(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 6 * self.codes.len());
        let mut from = 0;
        for code in &self.codes {
            out.push_str(&self.text[from..code.at]);
            from = code.at;
            out.push_str(&marker(code));
        }
        out.push_str(&self.text[from..]);
        out
    }

    /// Read a segment written with [`Coded::display`]'s markers, taking each
    /// code's type and markup from `codes` (those of its source): markers
    /// with other numbers stay text. Fails when the markers do not nest or
    /// a pair is broken.
    pub fn from_display(display: &str, codes: &[Code]) -> Result<Coded, String> {
        let mut text = String::with_capacity(display.len());
        let mut out = Vec::new();
        let mut rest = display;
        while let Some(brace) = rest.find('{') {
            text.push_str(&rest[..brace]);
            rest = &rest[brace..];
            let found = codes.iter().find(|c| rest.starts_with(&marker(c)));
            match found {
                Some(code) => {
                    out.push(Code {
                        at: text.len(),
                        ..code.clone()
                    });
                    rest = &rest[marker(code).len()..];
                }
                None => {
                    text.push('{');
                    rest = &rest[1..];
                }
            }
        }
        text.push_str(rest);
        let coded = Coded { text, codes: out };
        coded.check()?;
        Ok(coded)
    }

    /// Read a segment written with [`Coded::display`]'s markers when the
    /// codes behind them are not known (a review table edited in Word):
    /// each marker becomes a code of no type and no markup. Fails when the
    /// markers do not nest or a pair is broken.
    pub fn from_display_untyped(display: &str) -> Result<Coded, String> {
        let mut codes: Vec<Code> = Vec::new();
        let mut rest = display;
        while let Some(brace) = rest.find('{') {
            rest = &rest[brace + 1..];
            let Some(end) = rest.find('}') else { break };
            let inner = &rest[..end];
            let (kind, digits) = if let Some(d) = inner.strip_prefix('/') {
                (CodeKind::Close, d)
            } else if let Some(d) = inner.strip_suffix('/') {
                (CodeKind::Standalone, d)
            } else {
                (CodeKind::Open, inner)
            };
            if let Ok(id) = digits.parse::<u32>()
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && !codes.iter().any(|c| c.id == id && c.kind == kind)
            {
                codes.push(Code {
                    kind,
                    id,
                    at: 0,
                    ctype: None,
                    markup: String::new(),
                    isolated: None,
                });
            }
        }
        // « {3} » with no « {/3} » is text.
        let paired =
            |c: &Code, other: CodeKind| codes.iter().any(|d| d.id == c.id && d.kind == other);
        let codes: Vec<Code> = codes
            .iter()
            .filter(|c| match c.kind {
                CodeKind::Open => paired(c, CodeKind::Close),
                CodeKind::Close => paired(c, CodeKind::Open),
                CodeKind::Standalone => true,
            })
            .cloned()
            .collect();
        Coded::from_display(display, &codes)
    }

    /// The codes that wrap the whole segment and the ones at its very
    /// edges, set apart: a paragraph all in bold, or opening with an image,
    /// is translated as its inner text, and the outer codes go back around
    /// the translation ([`Coded::wrap`]).
    pub fn hoist(&self) -> (Outer, Coded) {
        let (start, end) = self.text_bounds();
        let n = self.codes.len();
        // Leading codes before any text: standalone ones, and opens closed
        // after all the text.
        let closed_at_end = |id: u32| {
            self.codes
                .iter()
                .any(|c| c.kind == CodeKind::Close && c.id == id && c.at >= end)
        };
        let n_lead = self
            .codes
            .iter()
            .take_while(|c| {
                c.at <= start
                    && match c.kind {
                        CodeKind::Standalone => true,
                        CodeKind::Open => closed_at_end(c.id),
                        CodeKind::Close => false,
                    }
            })
            .count();
        let lead_ids: Vec<u32> = self.codes[..n_lead]
            .iter()
            .filter(|c| c.kind == CodeKind::Open)
            .map(|c| c.id)
            .collect();
        // Trailing codes after all the text: standalone ones and the closes
        // of the hoisted opens.
        let n_trail = self.codes[n_lead..]
            .iter()
            .rev()
            .take_while(|c| {
                c.at >= end
                    && match c.kind {
                        CodeKind::Standalone => true,
                        CodeKind::Close => lead_ids.contains(&c.id),
                        CodeKind::Open => false,
                    }
            })
            .count();
        let after = &self.codes[n - n_trail..];
        let closed_outside = lead_ids.iter().all(|id| {
            after
                .iter()
                .any(|c| c.kind == CodeKind::Close && c.id == *id)
        });
        if !closed_outside || (n_lead == 0 && n_trail == 0 && start == 0 && end == self.text.len())
        {
            return (
                Outer {
                    before: Vec::new(),
                    after: Vec::new(),
                    leading_space: String::new(),
                    trailing_space: String::new(),
                },
                self.clone(),
            );
        }
        let inner = Coded {
            text: self.text[start..end].to_string(),
            codes: self.codes[n_lead..n - n_trail]
                .iter()
                .map(|c| Code {
                    at: c.at.clamp(start, end) - start,
                    ..c.clone()
                })
                .collect(),
        };
        let outer = Outer {
            before: self.codes[..n_lead].to_vec(),
            // Counted from the end of the text.
            after: after
                .iter()
                .map(|c| Code {
                    at: c.at - end,
                    ..c.clone()
                })
                .collect(),
            leading_space: self.text[..start].to_string(),
            trailing_space: self.text[end..].to_string(),
        };
        (outer, inner)
    }

    /// The byte range of the text without white space at either end.
    fn text_bounds(&self) -> (usize, usize) {
        let start = self.text.len() - self.text.trim_start().len();
        let end = self.text.trim_end().len().max(start);
        (start, end)
    }

    /// Cut the segment into the sentences at `ranges` (sorted, disjoint,
    /// as [`crate::segment::Segmenter::split`] gives them) without breaking
    /// a code pair: sentences that a pair would straddle are joined into
    /// one. A code between two sentences goes where it belongs: an opening
    /// code to the sentence after it, a closing one to the sentence before,
    /// a standalone one to the sentence it follows. Each piece comes with
    /// its range in the text.
    pub fn split(&self, ranges: &[Range<usize>]) -> Vec<(Range<usize>, Coded)> {
        if ranges.is_empty() {
            return Vec::new();
        }
        let mut ranges: Vec<Range<usize>> = ranges.to_vec();
        loop {
            let owner = self.owners(&ranges);
            // The first pair whose two codes fall in different sentences.
            let broken = self.codes.iter().enumerate().find_map(|(k, c)| {
                if c.kind != CodeKind::Open {
                    return None;
                }
                let close = self
                    .codes
                    .iter()
                    .position(|d| d.kind == CodeKind::Close && d.id == c.id)?;
                (owner[close] != owner[k]).then_some((owner[k], owner[close]))
            });
            match broken {
                Some((a, b)) => {
                    let joined = ranges[a].start..ranges[b].end;
                    ranges.splice(a..=b, [joined]);
                }
                None => break,
            }
        }
        let owners = self.owners(&ranges);
        ranges
            .iter()
            .enumerate()
            .map(|(k, range)| {
                let codes = self
                    .codes
                    .iter()
                    .zip(&owners)
                    .filter(|(_, o)| **o == k)
                    .map(|(c, _)| Code {
                        at: c.at.clamp(range.start, range.end) - range.start,
                        ..c.clone()
                    })
                    .collect();
                (
                    range.clone(),
                    Coded {
                        text: self.text[range.clone()].to_string(),
                        codes,
                    },
                )
            })
            .collect()
    }

    /// The sentence each code belongs to (see [`owner`]); a pair with
    /// nothing inside stays with its open code.
    fn owners(&self, ranges: &[Range<usize>]) -> Vec<usize> {
        let mut owners: Vec<usize> = self.codes.iter().map(|c| owner(ranges, c)).collect();
        for (k, c) in self.codes.iter().enumerate() {
            if c.kind == CodeKind::Close
                && let Some(o) = self.codes[..k]
                    .iter()
                    .rposition(|d| d.kind == CodeKind::Open && d.id == c.id)
                && self.codes[o].at == c.at
            {
                owners[k] = owners[o];
            }
        }
        owners
    }

    /// Sentences joined back into one paragraph with `sep` between them,
    /// their codes renumbered so that no two share an id.
    pub fn join(pieces: &[Coded], sep: &str) -> Coded {
        let gaps = vec![sep.to_string(); pieces.len().saturating_sub(1)];
        Coded::join_gaps(pieces, &gaps)
    }

    /// Like [`Coded::join`], with `gaps[k]` between pieces k and k + 1 (one
    /// space where `gaps` runs out).
    pub fn join_gaps(pieces: &[Coded], gaps: &[String]) -> Coded {
        let mut out = Coded::default();
        let mut next_id = 1;
        for (k, piece) in pieces.iter().enumerate() {
            if k > 0 {
                out.text
                    .push_str(gaps.get(k - 1).map_or(" ", String::as_str));
            }
            let base = out.text.len();
            let mut renumber = std::collections::HashMap::new();
            for code in &piece.codes {
                let id = *renumber.entry(code.id).or_insert_with(|| {
                    next_id += 1;
                    next_id - 1
                });
                out.codes.push(Code {
                    id,
                    at: base + code.at,
                    ..code.clone()
                });
            }
            out.text.push_str(&piece.text);
        }
        out
    }

    /// Put `outer` (from [`Coded::hoist`]) back around this segment.
    pub fn wrap(&self, outer: &Outer) -> Coded {
        let start = outer.leading_space.len();
        let mut text = outer.leading_space.clone();
        text.push_str(&self.text);
        let end = text.len();
        text.push_str(&outer.trailing_space);
        let mut codes: Vec<Code> = outer.before.clone();
        codes.extend(self.codes.iter().map(|c| Code {
            at: start + c.at,
            ..c.clone()
        }));
        codes.extend(outer.after.iter().map(|c| Code {
            at: end + c.at,
            ..c.clone()
        }));
        let mut coded = Coded { text, codes };
        coded.renumber();
        coded
    }

    /// The segment with its text in Unicode NFC (as the store keeps it),
    /// each code kept between the same characters.
    pub fn nfc(&self) -> Coded {
        let mut text = String::with_capacity(self.text.len());
        let mut codes = Vec::with_capacity(self.codes.len());
        let mut from = 0;
        for code in &self.codes {
            text.push_str(&super::nfc(&self.text[from..code.at]));
            from = code.at;
            codes.push(Code {
                at: text.len(),
                ..code.clone()
            });
        }
        text.push_str(&super::nfc(&self.text[from..]));
        Coded { text, codes }
    }

    /// Give the codes ids 1, 2, 3… in order of appearance (a close keeps
    /// its open's).
    pub fn renumber(&mut self) {
        let mut next = 1;
        let mut open: Vec<(u32, u32)> = Vec::new();
        for code in &mut self.codes {
            match code.kind {
                CodeKind::Open => {
                    open.push((code.id, next));
                    code.id = next;
                    next += 1;
                }
                CodeKind::Close => {
                    if let Some(k) = open.iter().rposition(|(old, _)| *old == code.id) {
                        code.id = open.remove(k).1;
                    }
                }
                CodeKind::Standalone => {
                    code.id = next;
                    next += 1;
                }
            }
        }
    }
}

/// Codes set apart from a segment by [`Coded::hoist`], with the white space
/// outside its text. The codes after the text count their place from its
/// end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outer {
    pub before: Vec<Code>,
    pub after: Vec<Code>,
    pub leading_space: String,
    pub trailing_space: String,
}

/// `{1}`, `{/1}`, `{1/}`.
fn marker(code: &Code) -> String {
    match code.kind {
        CodeKind::Open => format!("{{{}}}", code.id),
        CodeKind::Close => format!("{{/{}}}", code.id),
        CodeKind::Standalone => format!("{{{}/}}", code.id),
    }
}

/// The sentence (index into `ranges`) a code belongs to.
fn owner(ranges: &[Range<usize>], code: &Code) -> usize {
    let p = code.at;
    // Strictly inside a sentence: that one.
    if let Some(k) = ranges.iter().position(|r| r.start < p && p < r.end) {
        return k;
    }
    // The first sentence starting at or after the code.
    let next = ranges.iter().position(|r| r.start >= p);
    match code.kind {
        CodeKind::Open => next.unwrap_or(ranges.len() - 1),
        CodeKind::Close | CodeKind::Standalone => match next {
            Some(0) => 0,
            Some(k) => {
                // At the very start of an empty sentence, or after the
                // previous one: to the previous sentence.
                k - 1
            }
            None => ranges.len() - 1,
        },
    }
}

/// Whether two codes are of the same type, a code without one (another
/// tool's `<bpt>` without `type`) being of any.
fn same_type(a: &Code, b: &Code) -> bool {
    a.ctype.is_none() || b.ctype.is_none() || a.ctype == b.ctype
}

/// How many points a match loses for its codes: none when both segments
/// have the same codes (by kind, type and place), otherwise one per code
/// that differs, at most 5 — so that a segment that differs only in its
/// codes scores 95–99 %, as memoQ and Trados count it.
pub fn code_penalty(a: &Coded, b: &Coded) -> u8 {
    let signature = |c: &Coded| -> Vec<(CodeKind, Option<String>, usize)> {
        let words = |at: usize| c.text[..at].split_whitespace().count();
        c.codes
            .iter()
            .map(|code| (code.kind, code.ctype.clone(), words(code.at)))
            .collect()
    };
    let (sa, sb) = (signature(a), signature(b));
    // A code without a type (another tool's `<bpt>` without `type`) is
    // the same as any code of its kind at its place.
    let same = |s: &(CodeKind, Option<String>, usize), t: &(CodeKind, Option<String>, usize)| {
        s.0 == t.0 && s.2 == t.2 && (s.1.is_none() || t.1.is_none() || s.1 == t.1)
    };
    if sa.len() == sb.len() && sa.iter().zip(&sb).all(|(s, t)| same(s, t)) {
        return 0;
    }
    let mut unmatched = sb.clone();
    let mut differ = 0usize;
    for s in &sa {
        match unmatched.iter().position(|t| same(s, t)) {
            Some(k) => {
                unmatched.remove(k);
            }
            None => differ += 1,
        }
    }
    differ += unmatched.len();
    differ.clamp(1, 5) as u8
}

/// The memory's translation `target` of `memory_source`, given the codes
/// of the new segment `source`: each code of the target that corresponds
/// to a code of the memory's source takes the place it has in the target
/// and the identity (id, type, markup) of the new segment's code at the
/// same rank among codes of its kind and type. When the memory has no
/// codes, a pair of the new segment wrapping text found as such in the
/// target (a name, a number) wraps it there. The new segment's codes that
/// find no place are put at the end of the translation, and `complete` is
/// false: the segment needs a look.
pub fn transfer_codes(source: &Coded, memory_source: &Coded, target: &Coded) -> Transferred {
    transfer_codes_with(source, memory_source, target, &|_| Vec::new())
}

/// [`transfer_codes`], where a pair of the new segment around a text may
/// also wrap what `counterparts` says that text is in the target language
/// (the glossary's translation of « Conseil fédéral »: *Federal Council*),
/// when the translation holds it once.
pub fn transfer_codes_with(
    source: &Coded,
    memory_source: &Coded,
    target: &Coded,
    counterparts: &dyn Fn(&str) -> Vec<String>,
) -> Transferred {
    let mut codes: Vec<Code> = Vec::new();
    let mut placed: Vec<bool> = vec![false; source.codes.len()];
    // The memory's source code each of its target codes stands for, and the
    // new segment's code at the same rank.
    let rank = |codes: &[Code], k: usize| {
        let c = &codes[k];
        codes[..k]
            .iter()
            .filter(|d| d.kind == c.kind && same_type(d, c))
            .count()
    };
    for code in &target.codes {
        let Some(m) = memory_source
            .codes
            .iter()
            .position(|c| c.id == code.id && c.kind == code.kind)
        else {
            continue;
        };
        let r = rank(&memory_source.codes, m);
        let mem = &memory_source.codes[m];
        let counterpart = (0..source.codes.len()).find(|&k| {
            let c = &source.codes[k];
            c.kind == mem.kind && same_type(c, mem) && rank(&source.codes, k) == r
        });
        if let Some(k) = counterpart
            && !placed[k]
        {
            placed[k] = true;
            codes.push(Code {
                at: code.at,
                ..source.codes[k].clone()
            });
        }
    }
    // A close whose open did not find a place cannot stand alone, and the
    // reverse.
    for k in 0..source.codes.len() {
        let c = &source.codes[k];
        if c.kind == CodeKind::Standalone || !placed[k] {
            continue;
        }
        let partner = source
            .codes
            .iter()
            .position(|d| d.id == c.id && d.kind != c.kind)
            .expect("a checked segment closes every pair");
        if !placed[partner] {
            placed[k] = false;
            codes.retain(|d| !(d.id == c.id && d.kind == c.kind));
        }
    }
    let mut out = Coded {
        text: target.text.clone(),
        codes,
    };
    // No codes from the memory: a pair around text the translation holds
    // unchanged (a name, a number) goes around it there.
    for k in 0..source.codes.len() {
        let c = &source.codes[k];
        if placed[k] || c.kind != CodeKind::Open {
            continue;
        }
        let close = source
            .codes
            .iter()
            .position(|d| d.kind == CodeKind::Close && d.id == c.id)
            .expect("a checked segment closes every pair");
        let inner = source.text[c.at..source.codes[close].at].trim();
        if inner.is_empty() {
            continue;
        }
        let candidates = std::iter::once(inner.to_string()).chain(counterparts(inner));
        for candidate in candidates.filter(|c| !c.is_empty()) {
            let found: Vec<usize> = out
                .text
                .match_indices(candidate.as_str())
                .map(|(i, _)| i)
                .collect();
            if let [at] = found[..]
                && let Some(with_pair) =
                    insert_pair(&out, c, &source.codes[close], at, at + candidate.len())
            {
                out = with_pair;
                placed[k] = true;
                placed[close] = true;
                break;
            }
        }
    }
    // What is left goes at the end, in the source's order.
    let end = out.text.len();
    let complete = placed.iter().all(|p| *p);
    for (k, c) in source.codes.iter().enumerate() {
        if !placed[k] {
            out.codes.push(Code {
                at: end,
                ..c.clone()
            });
        }
    }
    if out.check().is_err() {
        // Codes the memory placed out of nesting for this segment: keep the
        // text, all codes at the end.
        out.codes = source
            .codes
            .iter()
            .map(|c| Code {
                at: end,
                ..c.clone()
            })
            .collect();
        return Transferred {
            coded: out,
            complete: false,
        };
    }
    Transferred {
        coded: out,
        complete,
    }
}

/// A translation with the new segment's codes (see [`transfer_codes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transferred {
    pub coded: Coded,
    /// Every code found its place; otherwise some were put at the end.
    pub complete: bool,
}

/// `coded` with the pair `open`…`close` around `start..end`, if that nests.
fn insert_pair(
    coded: &Coded,
    open: &Code,
    close: &Code,
    start: usize,
    end: usize,
) -> Option<Coded> {
    // Inside the pairs that open at `start` (the new segment's codes are
    // placed outer first), or else outside them: whichever nests.
    let inside = coded.codes.iter().take_while(|c| c.at <= start).count();
    let outside = coded
        .codes
        .iter()
        .take_while(|c| c.at < start || (c.at == start && c.kind == CodeKind::Close))
        .count();
    [inside, outside].into_iter().find_map(|at_open| {
        let mut codes = coded.codes.clone();
        codes.insert(
            at_open,
            Code {
                at: start,
                ..open.clone()
            },
        );
        // Before the codes at `end`, or after them: whichever nests.
        let before = codes.iter().take_while(|c| c.at < end).count();
        let after = codes.iter().take_while(|c| c.at <= end).count();
        [before, after].into_iter().find_map(|at_close| {
            let mut codes = codes.clone();
            codes.insert(
                at_close,
                Code {
                    at: end,
                    ..close.clone()
                },
            );
            let candidate = Coded {
                text: coded.text.clone(),
                codes,
            };
            candidate.check().is_ok().then_some(candidate)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(kind: CodeKind, id: u32, at: usize, ctype: &str) -> Code {
        Code {
            kind,
            id,
            at,
            ctype: Some(ctype.to_string()),
            markup: format!("<{ctype}{id}>"),
            isolated: None,
        }
    }

    /// « Le {1}Conseil fédéral{/1} a reçu{2/} Tokaïev. »
    fn sample() -> Coded {
        let text = "Le Conseil fédéral a reçu Tokaïev.";
        let start = text.find("Conseil").unwrap();
        let end = start + "Conseil fédéral".len();
        let recu = text.find("reçu").unwrap() + "reçu".len();
        Coded {
            text: text.to_string(),
            codes: vec![
                code(CodeKind::Open, 1, start, "bold"),
                code(CodeKind::Close, 1, end, "bold"),
                code(CodeKind::Standalone, 2, recu, "break"),
            ],
        }
    }

    #[test]
    fn display_and_back() {
        let s = sample();
        assert_eq!(s.display(), "Le {1}Conseil fédéral{/1} a reçu{2/} Tokaïev.");
        assert_eq!(Coded::from_display(&s.display(), &s.codes).unwrap(), s);
        // Braces that are no marker stay text.
        let t = Coded::from_display("{x} {3} {1}a{/1}", &s.codes).unwrap();
        assert_eq!(t.text, "{x} {3} a");
        assert!(Coded::from_display("{/1}a{1}", &s.codes).is_err());
    }

    #[test]
    fn check_refuses_broken_pairs_and_disorder() {
        assert!(sample().check().is_ok());
        let mut s = sample();
        s.codes.remove(1);
        assert!(s.check().unwrap_err().contains("never closed"));
        let mut s = sample();
        s.codes.swap(0, 1);
        assert!(s.check().is_err());
        let mut s = sample();
        s.codes[2].at = 1000;
        assert!(s.check().is_err());
    }

    #[test]
    fn a_pair_across_a_sentence_boundary_joins_the_sentences() {
        // « Un. {1}Deux. Trois.{/1} Quatre. » → Un. | Deux. Trois. | Quatre.
        let text = "Un. Deux. Trois. Quatre.";
        let coded = Coded {
            text: text.into(),
            codes: vec![
                code(CodeKind::Open, 1, 4, "bold"),
                code(CodeKind::Close, 1, 16, "bold"),
            ],
        };
        let pieces = coded.split(&[0..3, 4..9, 10..16, 17..24]);
        let texts: Vec<String> = pieces.iter().map(|(_, c)| c.display()).collect();
        assert_eq!(texts, ["Un.", "{1}Deux. Trois.{/1}", "Quatre."]);
    }

    #[test]
    fn codes_between_sentences_go_where_they_belong() {
        // « {1}Un.{/1} {2/}{3}Deux.{/3} »: the close goes left, the
        // standalone follows the first sentence, the open goes right.
        let text = "Un. Deux.";
        let coded = Coded {
            text: text.into(),
            codes: vec![
                code(CodeKind::Open, 1, 0, "bold"),
                code(CodeKind::Close, 1, 3, "bold"),
                code(CodeKind::Standalone, 2, 4, "break"),
                code(CodeKind::Open, 3, 4, "italic"),
                code(CodeKind::Close, 3, 9, "italic"),
            ],
        };
        let pieces = coded.split(&[0..3, 4..9]);
        let texts: Vec<String> = pieces.iter().map(|(_, c)| c.display()).collect();
        assert_eq!(texts, ["{1}Un.{/1}{2/}", "{3}Deux.{/3}"]);
    }

    #[test]
    fn hoist_sets_apart_a_pair_around_everything_and_wrap_puts_it_back() {
        let text = " Un. Deux. ";
        let coded = Coded {
            text: text.into(),
            codes: vec![
                code(CodeKind::Open, 1, 0, "bold"),
                code(CodeKind::Open, 2, 5, "italic"),
                code(CodeKind::Close, 2, 10, "italic"),
                code(CodeKind::Close, 1, 11, "bold"),
            ],
        };
        let (outer, inner) = coded.hoist();
        assert_eq!(inner.display(), "Un. {2}Deux.{/2}");
        assert_eq!(outer.before.len(), 1);
        assert_eq!(outer.after.len(), 1);
        let back = inner.wrap(&outer);
        assert_eq!(back.display(), "{1} Un. {2}Deux.{/2} {/1}");
        assert_eq!(back.text, coded.text);
        // Nothing to hoist when the pair does not wrap the whole text.
        let s = sample();
        assert_eq!(s.hoist().1, s);
    }

    #[test]
    fn join_renumbers_the_codes_of_each_sentence() {
        let a = Coded::from_display(
            "{1}Un{/1}.",
            &[
                code(CodeKind::Open, 1, 0, "bold"),
                code(CodeKind::Close, 1, 0, "bold"),
            ],
        )
        .unwrap();
        let joined = Coded::join(&[a.clone(), a], " ");
        assert_eq!(joined.display(), "{1}Un{/1}. {2}Un{/2}.");
        assert!(joined.check().is_ok());
    }

    #[test]
    fn nfc_keeps_codes_between_the_same_characters() {
        // « é » as e + combining acute: two code points, three bytes.
        let codes = [
            code(CodeKind::Open, 1, 0, "bold"),
            code(CodeKind::Close, 1, 0, "bold"),
        ];
        let coded =
            Coded::from_display("Le {1}Conseil fe\u{301}de\u{301}ral{/1}.", &codes).unwrap();
        let nfc = coded.nfc();
        assert_eq!(nfc.display(), "Le {1}Conseil fédéral{/1}.");
        assert!(nfc.check().is_ok());
    }

    #[test]
    fn codes_cost_between_one_and_five_points() {
        let s = sample();
        assert_eq!(code_penalty(&s, &s), 0);
        let plain = Coded::plain(s.text.clone());
        assert_eq!(code_penalty(&s, &plain), 3);
        let mut moved = s.clone();
        moved.codes[2].at = s.text.len() - 1;
        assert_eq!(code_penalty(&s, &moved), 2);
        let mut many = Coded::plain(s.text.clone());
        for k in 0..8 {
            many.codes
                .push(code(CodeKind::Standalone, k + 1, 0, "break"));
        }
        assert_eq!(code_penalty(&s, &many), 5);
    }

    #[test]
    fn codes_follow_the_memory_alignment() {
        // Memory: « Le {1}Conseil fédéral{/1} a reçu Tokaïev. » →
        // « {1}The Federal Council{/1} received Tokayev. »
        let bold = |id| {
            [
                code(CodeKind::Open, id, 0, "bold"),
                code(CodeKind::Close, id, 0, "bold"),
            ]
        };
        let memory_source =
            Coded::from_display("Le {1}Conseil fédéral{/1} a reçu Tokaïev.", &bold(1)).unwrap();
        let target =
            Coded::from_display("{1}The Federal Council{/1} received Tokayev.", &bold(1)).unwrap();
        // The new segment has the same bold, with id 7 and its own markup.
        let mut new_codes = bold(7);
        new_codes[0].markup = "<w:b/>".into();
        let source =
            Coded::from_display("Le {7}Conseil fédéral{/7} a reçu Tokaïev.", &new_codes).unwrap();
        let t = transfer_codes(&source, &memory_source, &target);
        assert!(t.complete);
        assert_eq!(
            t.coded.display(),
            "{7}The Federal Council{/7} received Tokayev."
        );
        assert_eq!(t.coded.codes[0].markup, "<w:b/>");
    }

    #[test]
    fn without_codes_in_the_memory_a_name_keeps_its_link_and_the_rest_goes_last() {
        let codes = [
            code(CodeKind::Open, 1, 0, "link"),
            code(CodeKind::Close, 1, 0, "link"),
            code(CodeKind::Open, 2, 0, "bold"),
            code(CodeKind::Close, 2, 0, "bold"),
        ];
        let source = Coded::from_display(
            "Le {2}Conseil fédéral{/2} a reçu {1}Kassym-Jomart Tokaïev{/1}.",
            &codes,
        )
        .unwrap();
        let memory_source = Coded::plain("Le Conseil fédéral a reçu Kassym-Jomart Tokaïev.");
        let target = Coded::plain("The Federal Council received Kassym-Jomart Tokaïev.");
        let t = transfer_codes(&source, &memory_source, &target);
        assert!(!t.complete, "the bold has no place of its own");
        assert_eq!(
            t.coded.display(),
            "The Federal Council received {1}Kassym-Jomart Tokaïev{/1}.{2}{/2}"
        );
        assert!(t.coded.check().is_ok());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A segment of words with well-nested codes between them.
    fn coded() -> impl Strategy<Value = Coded> {
        proptest::collection::vec((0u8..6, "[a-zé]{1,6}[.]?"), 1..14).prop_map(|parts| {
            let mut text = String::new();
            let mut codes = Vec::new();
            let mut open: Vec<u32> = Vec::new();
            let mut next = 1;
            for (action, word) in parts {
                match action {
                    0 => {
                        codes.push(Code {
                            kind: CodeKind::Open,
                            id: next,
                            at: text.len(),
                            ctype: Some("bold".into()),
                            markup: String::new(),
                            isolated: None,
                        });
                        open.push(next);
                        next += 1;
                    }
                    1 if !open.is_empty() => codes.push(Code {
                        kind: CodeKind::Close,
                        id: open.pop().unwrap(),
                        at: text.len(),
                        ctype: Some("bold".into()),
                        markup: String::new(),
                        isolated: None,
                    }),
                    2 => {
                        codes.push(Code {
                            kind: CodeKind::Standalone,
                            id: next,
                            at: text.len(),
                            ctype: Some("break".into()),
                            markup: String::new(),
                            isolated: None,
                        });
                        next += 1;
                    }
                    _ => {}
                }
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&word);
            }
            while let Some(id) = open.pop() {
                codes.push(Code {
                    kind: CodeKind::Close,
                    id,
                    at: text.len(),
                    ctype: Some("bold".into()),
                    markup: String::new(),
                    isolated: None,
                });
            }
            Coded { text, codes }
        })
    }

    /// Sentence ranges: after each word that ends with a full stop.
    fn sentences(text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if c == '.' {
                out.push(start..i + 1);
                start = i + 2;
            }
        }
        if start < text.len() {
            out.push(start..text.len());
        }
        out
    }

    proptest! {
        #[test]
        fn split_keeps_every_code_and_every_pair_whole(c in coded()) {
            prop_assert!(c.check().is_ok());
            let ranges = sentences(&c.text);
            let pieces = c.split(&ranges);
            let total: usize = pieces.iter().map(|(_, p)| p.codes.len()).sum();
            prop_assert_eq!(total, c.codes.len());
            for (range, piece) in &pieces {
                prop_assert!(piece.check().is_ok(), "{:?}", piece);
                prop_assert_eq!(&piece.text, &c.text[range.clone()]);
            }
            // Joined with the spaces the ranges left out, the pieces give
            // back the text.
            let joined = Coded::join(&pieces.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>(), " ");
            prop_assert_eq!(joined.text.as_str(), c.text.trim());
            prop_assert!(joined.check().is_ok());
        }

        #[test]
        fn display_reads_back(c in coded()) {
            prop_assert_eq!(Coded::from_display(&c.display(), &c.codes).unwrap(), c);
        }

        #[test]
        fn hoist_then_wrap_gives_the_segment_back(c in coded()) {
            let (outer, inner) = c.hoist();
            prop_assert!(inner.check().is_ok());
            let back = inner.wrap(&outer);
            prop_assert_eq!(&back.text, &c.text);
            prop_assert_eq!(back.display(), { let mut r = c.clone(); r.renumber(); r.display() });
        }

        #[test]
        fn a_transferred_translation_is_always_well_formed(a in coded(), b in coded()) {
            let t = transfer_codes(&a, &b, &b);
            prop_assert!(t.coded.check().is_ok(), "{:?}", t.coded);
            prop_assert_eq!(t.coded.codes.len(), a.codes.len());
            let same = transfer_codes(&a, &a, &a);
            prop_assert!(same.complete);
            prop_assert_eq!(same.coded, a);
        }
    }

    #[test]
    fn markers_typed_in_a_review_table_read_back_as_codes() {
        let coded = Coded::from_display_untyped("Le {1}Conseil{/1} a dit{2/}. {x} {3}").unwrap();
        assert_eq!(coded.text, "Le Conseil a dit. {x} {3}");
        assert_eq!(coded.display(), "Le {1}Conseil{/1} a dit{2/}. {x} {3}");
        assert_eq!(
            Coded::from_display_untyped("{1}ouvert").unwrap().text,
            "{1}ouvert"
        );
        assert!(Coded::from_display_untyped("{1}croisés {2}x{/1}{/2}").is_err());
    }
}
