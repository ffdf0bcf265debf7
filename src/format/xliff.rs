//! XLIFF drafts for CAT tools: write XLIFF 2.0 and 1.2, read them back
//! once reviewed.
//!
//! Writing ([`write_xliff2`], [`write_xliff12`]): one unit (1.2: group) per
//! paragraph, one segment (1.2: trans-unit) per sentence. Only exact
//! matches (100 %, 101 %, repetitions of them) are written as translated;
//! a fuzzy fill is a target still to check (2.0: state `initial`; 1.2:
//! `needs-review-translation` with `state-qualifier="fuzzy-match"`), and a
//! sentence without a match has no target (2.0 `initial`, 1.2 `new`). The
//! memory match is an `mtc:match` (1.2: `alt-trans`) with similarity and
//! origin; glossary terms are `gls:glossEntry`s (1.2: notes); terminology
//! warnings are notes.
//!
//! Reading ([`XliffReader`]): only confirmed translations are taken —
//! state `translated`, `reviewed` or `final` (1.2: `translated`, `final`,
//! `signed-off`, or a target without a state) — each with the previous and
//! next source segments of the document as its context; inline codes
//! (`bpt`, `ept`, `ph`, `it`, and 2.0's `ph`) are dropped, their text kept
//! around them; match and glossary modules are skipped. The document's
//! `original` is the pairs' origin, so importing a re-reviewed draft again
//! updates its translations instead of adding alternatives. A document in
//! other languages than the import's is refused.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::path::Path;

use quick_xml::escape::escape;
use quick_xml::events::Event;

use super::xml::{self, XmlFile};
use super::{BadRow, PairRow, RowSource};
use crate::error::{Error, Kind, Result};
use crate::pretranslate::{Draft, SegmentDraft};

/// A fill that needs no review: an exact match (or its repetition).
fn confirmed(s: &SegmentDraft) -> bool {
    s.target.is_some() && s.suggestion.as_ref().is_some_and(|m| m.score >= 100)
}

/// Text for XML: escaped, and without the control characters XML 1.0
/// cannot hold (a stray U+000B from a word processor).
fn xml_text(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape(&clean).into_owned()
}

/// The draft's segments grouped by paragraph, in order.
fn paragraphs(draft: &Draft) -> Vec<&[SegmentDraft]> {
    draft
        .segments
        .chunk_by(|a, b| a.paragraph == b.paragraph)
        .collect()
}

/// Write the draft as XLIFF 2.0 with the Translation Candidates (`mtc`) and
/// Glossary (`gls`) modules.
pub fn write_xliff2(out: &mut dyn Write, draft: &Draft) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" \
         xmlns:mtc=\"urn:oasis:names:tc:xliff:matches:2.0\" \
         xmlns:gls=\"urn:oasis:names:tc:xliff:glossary:2.0\" \
         version=\"2.0\" srcLang=\"{}\" trgLang=\"{}\">",
        escape(&draft.source_lang),
        escape(&draft.target_lang)
    )?;
    writeln!(
        out,
        " <file id=\"f1\" original=\"{}\">",
        escape(&draft.name)
    )?;
    for segments in paragraphs(draft) {
        writeln!(out, "  <unit id=\"p{}\">", segments[0].paragraph)?;
        let suggested: Vec<&SegmentDraft> =
            segments.iter().filter(|s| s.suggestion.is_some()).collect();
        if !suggested.is_empty() {
            writeln!(out, "   <mtc:matches>")?;
            for s in suggested {
                let m = s.suggestion.as_ref().expect("filtered");
                writeln!(
                    out,
                    "    <mtc:match ref=\"#s{}\" similarity=\"{}\" origin=\"{}\" type=\"tm\">\
                     <source>{}</source><target>{}</target></mtc:match>",
                    s.id,
                    m.score.min(100),
                    escape(&m.origin),
                    xml_text(&m.source),
                    xml_text(&m.target)
                )?;
            }
            writeln!(out, "   </mtc:matches>")?;
        }
        let terms: Vec<(&SegmentDraft, &crate::pretranslate::TermHit)> = segments
            .iter()
            .flat_map(|s| s.terms.iter().map(move |t| (s, t)))
            .collect();
        if !terms.is_empty() {
            writeln!(out, "   <gls:glossary>")?;
            for (s, hit) in terms {
                write!(
                    out,
                    "    <gls:glossEntry ref=\"#s{}\"><gls:term>{}</gls:term>",
                    s.id,
                    xml_text(&hit.text)
                )?;
                for entry in &hit.entries {
                    write!(
                        out,
                        "<gls:translation>{}</gls:translation>",
                        xml_text(&entry.target)
                    )?;
                }
                writeln!(out, "</gls:glossEntry>")?;
            }
            writeln!(out, "   </gls:glossary>")?;
        }
        let warnings: Vec<(usize, &String)> = segments
            .iter()
            .flat_map(|s| s.warnings.iter().map(move |w| (s.id, w)))
            .collect();
        if !warnings.is_empty() {
            writeln!(out, "   <notes>")?;
            for (id, warning) in warnings {
                writeln!(
                    out,
                    "    <note category=\"terminology\">s{id}: {}</note>",
                    xml_text(warning)
                )?;
            }
            writeln!(out, "   </notes>")?;
        }
        for (k, s) in segments.iter().enumerate() {
            if k > 0 {
                writeln!(out, "   <ignorable><source> </source></ignorable>")?;
            }
            let state = if confirmed(s) {
                "translated"
            } else {
                "initial"
            };
            write!(
                out,
                "   <segment id=\"s{}\" state=\"{state}\"><source>{}</source>",
                s.id,
                xml_text(&s.source)
            )?;
            if let Some(target) = &s.target {
                write!(out, "<target>{}</target>", xml_text(target))?;
            }
            writeln!(out, "</segment>")?;
        }
        writeln!(out, "  </unit>")?;
    }
    writeln!(out, " </file>")?;
    writeln!(out, "</xliff>")
}

/// Write the draft as XLIFF 1.2: a group per paragraph, `alt-trans` for
/// the match, the glossary terms and warnings as notes.
pub fn write_xliff12(out: &mut dyn Write, draft: &Draft) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        out,
        "<xliff version=\"1.2\" xmlns=\"urn:oasis:names:tc:xliff:document:1.2\">"
    )?;
    writeln!(
        out,
        " <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"plaintext\">",
        escape(&draft.name),
        escape(&draft.source_lang),
        escape(&draft.target_lang)
    )?;
    writeln!(out, "  <body>")?;
    for segments in paragraphs(draft) {
        writeln!(out, "   <group id=\"p{}\">", segments[0].paragraph)?;
        for s in segments {
            writeln!(out, "    <trans-unit id=\"s{}\">", s.id)?;
            writeln!(out, "     <source>{}</source>", xml_text(&s.source))?;
            match &s.target {
                Some(target) if confirmed(s) => writeln!(
                    out,
                    "     <target state=\"translated\" state-qualifier=\"exact-match\">{}</target>",
                    xml_text(target)
                )?,
                Some(target) => writeln!(
                    out,
                    "     <target state=\"needs-review-translation\" state-qualifier=\"fuzzy-match\">{}</target>",
                    xml_text(target)
                )?,
                None => writeln!(out, "     <target state=\"new\"></target>")?,
            }
            if let Some(m) = &s.suggestion {
                writeln!(
                    out,
                    "     <alt-trans match-quality=\"{}\" origin=\"{}\"><source>{}</source><target>{}</target></alt-trans>",
                    m.score.min(100),
                    escape(&m.origin),
                    xml_text(&m.source),
                    xml_text(&m.target)
                )?;
            }
            for hit in &s.terms {
                let targets: Vec<&str> = hit.entries.iter().map(|e| e.target.as_str()).collect();
                writeln!(
                    out,
                    "     <note from=\"memoire glossary\">{} → {}</note>",
                    xml_text(&hit.text),
                    xml_text(&targets.join(" / "))
                )?;
            }
            for warning in &s.warnings {
                writeln!(
                    out,
                    "     <note from=\"memoire check\">{}</note>",
                    xml_text(warning)
                )?;
            }
            writeln!(out, "    </trans-unit>")?;
        }
        writeln!(out, "   </group>")?;
    }
    writeln!(out, "  </body>")?;
    writeln!(out, " </file>")?;
    writeln!(out, "</xliff>")
}

/// One segment as read from a reviewed XLIFF.
#[derive(Debug, Default)]
struct ReadSegment {
    line: u64,
    source: String,
    target: Option<String>,
    state: Option<String>,
}

/// Reads a reviewed XLIFF 2.0 or 1.2 file.
pub struct XliffReader {
    version: String,
    origin: Option<String>,
    segments: usize,
    skipped: usize,
    queued: VecDeque<PairRow>,
}

impl XliffReader {
    pub fn open(path: &Path, source_lang: &str, target_lang: &str) -> Result<XliffReader> {
        let mut xml = xml::open(path)?;
        let read = read_segments(&mut xml, path)?;
        let Read {
            version,
            origin,
            languages,
            segments,
        } = read;
        for (found, wanted, flag) in [
            (&languages.0, source_lang, "--source-lang"),
            (&languages.1, target_lang, "--target-lang"),
        ] {
            if let Some(found) = found
                && xml::language_fit(found, wanted) == 0
            {
                return Err(Error::new(
                    Kind::Input,
                    format!(
                        "this XLIFF is in {found}, not {wanted}: import it with {flag} {found}"
                    ),
                )
                .at(path));
            }
        }
        let sources: Vec<String> = segments.iter().map(|s| s.source.clone()).collect();
        let mut queued = VecDeque::new();
        let mut skipped = 0;
        for (k, segment) in segments.iter().enumerate() {
            let untranslated = matches!(
                segment.state.as_deref(),
                Some("initial" | "new" | "needs-translation")
            );
            let Some(target) = segment
                .target
                .as_ref()
                .filter(|t| !t.trim().is_empty() && !untranslated)
            else {
                skipped += 1;
                continue;
            };
            queued.push_back(PairRow {
                line: segment.line,
                source: segment.source.trim().to_string(),
                target: target.trim().to_string(),
                origin: origin.clone(),
                prev_source: k.checked_sub(1).map(|p| sources[p].trim().to_string()),
                next_source: sources.get(k + 1).map(|n| n.trim().to_string()),
                ..PairRow::default()
            });
        }
        Ok(XliffReader {
            version,
            origin,
            segments: segments.len(),
            skipped,
            queued,
        })
    }
}

/// What an XLIFF file holds.
struct Read {
    version: String,
    /// The first file's `original`.
    origin: Option<String>,
    /// Source and target languages, as declared.
    languages: (Option<String>, Option<String>),
    segments: Vec<ReadSegment>,
}

/// Elements whose content is native code, not text.
const CODE_ELEMENTS: [&str; 5] = ["bpt", "ept", "ph", "it", "ut"];

/// Read the version, the first file's `original`, and every segment.
fn read_segments(xml: &mut XmlFile, path: &Path) -> Result<Read> {
    let mut buf = Vec::new();
    let (mut version, mut origin) = (String::new(), None);
    let mut languages = (None, None);
    let mut code_depth = 0usize;
    let mut segments: Vec<ReadSegment> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    // Where text goes: the current segment's source or target.
    let mut into: Option<bool> = None; // Some(true) = target
    loop {
        buf.clear();
        let line = xml.line();
        let event = xml
            .reader
            .read_event_into(&mut buf)
            .map_err(|e| xml.malformed(path, e))?;
        match event {
            Event::Start(e) => {
                let name = xml::local_name(&e);
                let parent = stack.last().map(String::as_str);
                match (name.as_str(), parent) {
                    ("xliff", _) => {
                        version = xml::attribute(&e, "version").unwrap_or_default();
                        languages = (xml::attribute(&e, "srcLang"), xml::attribute(&e, "trgLang"));
                    }
                    ("file", _) if origin.is_none() => {
                        origin = xml::attribute(&e, "original");
                        if languages.0.is_none() {
                            languages = (
                                xml::attribute(&e, "source-language"),
                                xml::attribute(&e, "target-language"),
                            );
                        }
                    }
                    (name, _) if into.is_some() && CODE_ELEMENTS.contains(&name) => code_depth += 1,
                    ("segment" | "trans-unit", _) => segments.push(ReadSegment {
                        line,
                        ..ReadSegment::default()
                    }),
                    ("source", Some("segment" | "trans-unit")) => into = Some(false),
                    ("target", Some("segment" | "trans-unit")) => {
                        into = Some(true);
                        if let Some(s) = segments.last_mut() {
                            s.target = Some(String::new());
                            if let Some(state) = xml::attribute(&e, "state") {
                                s.state = Some(state);
                            }
                        }
                    }
                    _ => {}
                }
                if name == "segment"
                    && let (Some(s), Some(state)) =
                        (segments.last_mut(), xml::attribute(&e, "state"))
                {
                    s.state = Some(state);
                }
                stack.push(name);
            }
            Event::End(_) => {
                match stack.last().map(String::as_str) {
                    Some("source" | "target") => into = None,
                    Some(name) if into.is_some() && CODE_ELEMENTS.contains(&name) => {
                        code_depth = code_depth.saturating_sub(1)
                    }
                    _ => {}
                }
                stack.pop();
            }
            Event::Text(t) if code_depth == 0 => push(&mut segments, into, &t.xml10_content()),
            Event::CData(c) if code_depth == 0 => push(&mut segments, into, &c.xml10_content()),
            Event::GeneralRef(r) if code_depth == 0 => {
                let text = xml::entity_text(&r).map_err(|e| xml.malformed(path, e))?;
                push(&mut segments, into, &text)
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if version.is_empty() {
        return Err(Error::new(Kind::Input, "not an XLIFF file: no <xliff> element").at(path));
    }
    Ok(Read {
        version,
        origin,
        languages,
        segments,
    })
}

fn push(segments: &mut [ReadSegment], into: Option<bool>, text: &str) {
    let Some(segment) = segments.last_mut() else {
        return;
    };
    match into {
        Some(false) => segment.source.push_str(text),
        Some(true) => segment
            .target
            .get_or_insert_with(String::new)
            .push_str(text),
        None => {}
    }
}

impl RowSource for XliffReader {
    fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>> {
        Ok(self.queued.pop_front().map(Ok))
    }

    fn bytes_read(&self) -> u64 {
        0
    }

    fn describe(&self) -> String {
        format!(
            "XLIFF {}{}, {} segments, {} without a confirmed translation skipped",
            self.version,
            self.origin
                .as_deref()
                .map_or(String::new(), |o| format!(" of {o}")),
            self.segments,
            self.skipped
        )
    }

    fn rejects_frame(&self) -> (Vec<u8>, Vec<u8>) {
        (Vec::new(), Vec::new())
    }

    fn is_reviewed_draft(&self) -> bool {
        true
    }
}
