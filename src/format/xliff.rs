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
//! warnings are notes. Inline codes are written as 2.0 `pc`/`ph` with their
//! native code in the unit's `originalData` (1.2: `bpt`/`ept`/`ph`, or
//! `g`/`x` for codes without native code).
//!
//! Reading ([`XliffReader`]): only confirmed translations are taken —
//! state `translated`, `reviewed` or `final` (1.2: `translated`, `final`,
//! `signed-off`, or a target without a state) — each with the previous and
//! next source segments of the document as its context, and with their
//! inline codes (see [`super::inline`]; the target's codes take the numbers
//! of the source codes they stand for); match and glossary modules are
//! skipped. The document's
//! `original` is the pairs' origin, so importing a re-reviewed draft again
//! updates its translations instead of adding alternatives. A document in
//! other languages than the import's is refused.

use std::io::{self, Write};
use std::path::Path;

use quick_xml::Writer;
use quick_xml::events::Event;

use std::collections::HashMap;

use super::inline::{self, CodeKey, Dialect, InlineBuilder};
use super::xml::{self, Limits, XmlFile};
use super::{BadRow, PairRow, RowSource};
use crate::error::{Error, Kind, Result};
use crate::pretranslate::{Draft, SegmentDraft, TermHit};
use crate::store::TermStatus;
use crate::text::{Code, Coded};

/// A fill that needs no review: an exact match (or its repetition).
fn confirmed(s: &SegmentDraft) -> bool {
    s.target.is_some() && s.suggestion.as_ref().is_some_and(|m| m.score >= 100)
}

/// For a fuzzy fill (a suggestion below 100 %), what the reviewer must
/// compare: `77 % from memory.csv: La séance a lieu [-lundi-]{+mardi+}.`
pub fn match_note(s: &SegmentDraft) -> Option<String> {
    if let Some((of, score)) = s.internal_of {
        return Some(format!(
            "{score} % like segment {of} of this article (an internal fuzzy match)"
        ));
    }
    let m = s.suggestion.as_ref().filter(|m| m.score < 100)?;
    Some(format!("{} % from {}: {}", m.score, m.origin, m.diff))
}

/// The translations of a term that must not be used, as one phrase:
/// `not: Department of State (formal name)`.
pub fn forbidden_targets(hit: &TermHit) -> Option<String> {
    let forbidden: Vec<String> = hit
        .entries
        .iter()
        .filter(|e| e.status == TermStatus::Forbidden)
        .map(|e| match &e.note {
            Some(note) => format!("{} ({note})", e.target),
            None => e.target.clone(),
        })
        .collect();
    (!forbidden.is_empty()).then(|| format!("not: {}", forbidden.join("; ")))
}

/// A term and its translations on one line, the forbidden ones marked:
/// `département d'État → State Department (not: Department of State)`.
pub fn term_line(hit: &TermHit) -> String {
    let allowed: Vec<&str> = hit
        .entries
        .iter()
        .filter(|e| e.status != TermStatus::Forbidden)
        .map(|e| e.target.as_str())
        .collect();
    let mut line = format!("{} → {}", hit.text, allowed.join(" / "));
    if let Some(modifier) = hit.modifier_line() {
        line.push_str(&format!(" + {modifier}"));
    }
    if let Some(forbidden) = forbidden_targets(hit) {
        line.push_str(&format!(" ({forbidden})"));
    }
    line
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
        xml::text(&draft.source_lang),
        xml::text(&draft.target_lang)
    )?;
    writeln!(
        out,
        " <file id=\"f1\" original=\"{}\">",
        xml::text(&draft.name)
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
                    xml::text(&m.origin),
                    xml::text(&m.source),
                    xml::text(&m.memory_target)
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
                    xml::text(&hit.text)
                )?;
                // gls:translation lists the translations to use; one that
                // must not be used is named in the definition instead.
                for entry in hit
                    .entries
                    .iter()
                    .filter(|e| e.status != TermStatus::Forbidden)
                {
                    write!(
                        out,
                        "<gls:translation>{}</gls:translation>",
                        xml::text(&entry.target)
                    )?;
                }
                // The definition carries what gls has no place for: the
                // nationality found with a title, the forbidden translations.
                let definition: Vec<String> = hit
                    .modifier_line()
                    .map(|m| format!("with {m}"))
                    .into_iter()
                    .chain(forbidden_targets(hit))
                    .collect();
                if !definition.is_empty() {
                    write!(
                        out,
                        "<gls:definition>{}</gls:definition>",
                        xml::text(&definition.join("; "))
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
        let fuzzy: Vec<(&SegmentDraft, String)> = segments
            .iter()
            .filter_map(|s| match_note(s).map(|note| (s, note)))
            .collect();
        if !warnings.is_empty() || !fuzzy.is_empty() {
            writeln!(out, "   <notes>")?;
            for (s, note) in fuzzy {
                writeln!(
                    out,
                    "    <note category=\"match\">s{}: {}</note>",
                    s.id,
                    xml::text(&note)
                )?;
            }
            for (id, warning) in warnings {
                writeln!(
                    out,
                    "    <note category=\"terminology\">s{id}: {}</note>",
                    xml::text(warning)
                )?;
            }
            writeln!(out, "   </notes>")?;
        }
        // The native code of the unit's inline codes.
        let data: Vec<(String, String)> = segments
            .iter()
            .flat_map(|s| {
                let source = inline::write_xliff2(&s.coded_source(), &format!("s{}", s.id)).1;
                let target = s.coded_target().map_or_else(Vec::new, |t| {
                    inline::write_xliff2(&t, &format!("s{}t", s.id)).1
                });
                source.into_iter().chain(target)
            })
            .collect();
        if !data.is_empty() {
            writeln!(out, "   <originalData>")?;
            for (id, native) in data {
                writeln!(
                    out,
                    "    <data id=\"{}\">{}</data>",
                    xml::text(&id),
                    xml::text(&native)
                )?;
            }
            writeln!(out, "   </originalData>")?;
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
            let (source, _) = inline::write_xliff2(&s.coded_source(), &format!("s{}", s.id));
            write!(
                out,
                "   <segment id=\"s{}\" state=\"{state}\"><source>{source}</source>",
                s.id,
            )?;
            if let Some(target) = s.coded_target() {
                let (target, _) = inline::write_xliff2(&target, &format!("s{}t", s.id));
                write!(out, "<target>{target}</target>")?;
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
        xml::text(&draft.name),
        xml::text(&draft.source_lang),
        xml::text(&draft.target_lang)
    )?;
    writeln!(out, "  <body>")?;
    for segments in paragraphs(draft) {
        writeln!(out, "   <group id=\"p{}\">", segments[0].paragraph)?;
        for s in segments {
            // Translate Toolkit and other clients read a unit without
            // approved="yes" as fuzzy, whatever its state.
            let approved = if confirmed(s) {
                " approved=\"yes\""
            } else {
                ""
            };
            writeln!(out, "    <trans-unit id=\"s{}\"{approved}>", s.id)?;
            writeln!(
                out,
                "     <source>{}</source>",
                inline::write_xliff1(&s.coded_source())
            )?;
            match s.coded_target() {
                Some(target) if confirmed(s) => writeln!(
                    out,
                    "     <target state=\"translated\" state-qualifier=\"exact-match\">{}</target>",
                    inline::write_xliff1(&target)
                )?,
                Some(target) => writeln!(
                    out,
                    "     <target state=\"needs-review-translation\" state-qualifier=\"fuzzy-match\">{}</target>",
                    inline::write_xliff1(&target)
                )?,
                None => writeln!(out, "     <target state=\"new\"></target>")?,
            }
            if let Some(m) = &s.suggestion {
                writeln!(
                    out,
                    "     <alt-trans match-quality=\"{}\" origin=\"{}\"><source>{}</source><target>{}</target></alt-trans>",
                    m.score.min(100),
                    xml::text(&m.origin),
                    xml::text(&m.source),
                    xml::text(&m.memory_target)
                )?;
            }
            if let Some(note) = match_note(s) {
                writeln!(
                    out,
                    "     <note from=\"memoire match\">{}</note>",
                    xml::text(&note)
                )?;
            }
            for hit in &s.terms {
                writeln!(
                    out,
                    "     <note from=\"memoire glossary\">{}</note>",
                    xml::text(&term_line(hit))
                )?;
            }
            for warning in &s.warnings {
                writeln!(
                    out,
                    "     <note from=\"memoire check\">{}</note>",
                    xml::text(warning)
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
    source: (Coded, Vec<CodeKey>),
    target: Option<(Coded, Vec<CodeKey>)>,
    /// 2.0: the segment's `state`; 1.2: the target's.
    state: Option<String>,
    /// 1.2: the trans-unit's `approved`.
    approved: Option<String>,
    /// 1.2: a unit that is not for translation (`translate="no"`) or a
    /// PO header (`restype="x-gettext-domain-header"`).
    not_text: bool,
    /// The segment's XML as read (2.0: wrapped in a unit), for the rejects
    /// file.
    raw: Vec<u8>,
    /// Why the segment cannot be read as one pair (two targets).
    problem: Option<String>,
}

/// An open element: its qualified name, and whether it or an enclosing
/// element says `translate="no"`.
#[derive(Debug, Clone)]
struct Open {
    name: String,
    no_translate: bool,
}

/// Reads a reviewed XLIFF 2.0 or 1.2 file, one segment ahead of the pair it
/// returns (for the next segment's context).
pub struct XliffReader {
    xml: XmlFile,
    buf: Vec<u8>,
    limits: Limits,
    version: String,
    origin: Option<String>,
    /// The root and first `<file>` start tags as read, for the rejects file.
    root_tag: String,
    file_tag: String,
    /// Open elements, to know whose `<source>` is read.
    stack: Vec<Open>,
    /// The segment whose pair comes next, and the source before it.
    current: Option<ReadSegment>,
    previous_source: Option<String>,
    segments: usize,
    skipped: usize,
    finished: bool,
    /// 2.0: the current unit's `originalData` (native code by data id).
    data: HashMap<String, String>,
}

impl XliffReader {
    pub fn open(
        path: &Path,
        source_lang: &str,
        target_lang: &str,
        limits: Limits,
    ) -> Result<XliffReader> {
        let mut xml = xml::open(path, limits)?;
        let mut buf = Vec::new();
        let (mut version, mut languages) = (String::new(), (None, None));
        let (mut root_tag, mut stack) = (String::new(), Vec::new());
        let (file_tag, origin) = loop {
            let event = xml.next(&mut buf)?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    let name = xml::local_name(&e);
                    match name.as_str() {
                        "xliff" if root_tag.is_empty() => {
                            version = xml::attribute(&e, "version").unwrap_or_default();
                            languages =
                                (xml::attribute(&e, "srcLang"), xml::attribute(&e, "trgLang"));
                            root_tag = (*e).to_string();
                        }
                        _ if root_tag.is_empty() => {
                            return Err(Error::new(
                                Kind::Input,
                                format!("not an XLIFF file: the document starts with <{name}>"),
                            )
                            .at(path));
                        }
                        "file" => {
                            let origin = xml::attribute(&e, "original");
                            if languages.0.is_none() {
                                languages = (
                                    xml::attribute(&e, "source-language"),
                                    xml::attribute(&e, "target-language"),
                                );
                            }
                            let tag = (*e).to_string();
                            if !empty {
                                stack.push(open_element(&e, &stack));
                            }
                            break (tag, origin);
                        }
                        _ => {}
                    }
                    if !empty {
                        stack.push(open_element(&e, &stack));
                    }
                }
                Event::End(_) => {
                    stack.pop();
                }
                Event::Eof => {
                    return Err(
                        Error::new(Kind::Input, "not an XLIFF file: no <file> element").at(path),
                    );
                }
                _ => {}
            }
        };
        if version.is_empty() {
            return Err(Error::new(Kind::Input, "not an XLIFF file: no version").at(path));
        }
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
        let mut reader = XliffReader {
            xml,
            buf,
            limits,
            version,
            origin,
            root_tag,
            file_tag,
            stack,
            current: None,
            previous_source: None,
            segments: 0,
            skipped: 0,
            finished: false,
            data: HashMap::new(),
        };
        reader.current = reader.read_segment()?;
        Ok(reader)
    }

    fn is_v2(&self) -> bool {
        self.version.starts_with('2')
    }

    /// Is the segment's translation confirmed? 2.0: state `translated`,
    /// `reviewed` or `final` (no state is `initial`, the standard's
    /// default). 1.2: not `approved="no"`, not a PO header or a unit not
    /// for translation, and state `translated`, `final` or `signed-off`, or
    /// no state with `approved="yes"`.
    fn confirmed(&self, segment: &ReadSegment) -> bool {
        let state = segment.state.as_deref();
        if self.is_v2() {
            return matches!(state, Some("translated" | "reviewed" | "final"));
        }
        let approved = segment.approved.as_deref();
        if segment.not_text || approved == Some("no") {
            return false;
        }
        match state {
            Some("translated" | "final" | "signed-off") => true,
            None => approved == Some("yes"),
            Some(_) => false,
        }
    }

    /// The next `<segment>` (2.0) or `<trans-unit>` (1.2), or `None` at the
    /// end of the document.
    fn read_segment(&mut self) -> Result<Option<ReadSegment>> {
        if self.finished {
            return Ok(None);
        }
        let dialect = if self.is_v2() {
            Dialect::Xliff2
        } else {
            Dialect::Xliff1
        };
        let mut segment: Option<ReadSegment> = None;
        let mut raw = Writer::new(Vec::new());
        // The source or target being read (true: target), codes and all.
        let mut inline: Option<(bool, InlineBuilder)> = None;
        // 2.0: the `<data>` of `originalData` being read.
        let mut data: Option<(String, String)> = None;
        loop {
            let line = self.xml.line();
            let event = self.xml.next(&mut self.buf)?;
            let empty = matches!(event, Event::Empty(_));
            if segment.is_some() && !matches!(event, Event::Eof) {
                raw.write_event(event.borrow())
                    .map_err(|e| Error::io("cannot read", self.xml.path(), e))?;
                if raw.get_ref().len() as u64 > self.limits.max_event {
                    return Err(self.xml.error(format!(
                        "a segment of more than {} MiB",
                        self.limits.max_event >> 20
                    )));
                }
            }
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    // Qualified names: a `<my:segment>` of another namespace
                    // is not XLIFF's.
                    let name: String = e.name().into_inner().to_string();
                    let parent = self.stack.last().map(|o| o.name.as_str());
                    let inherited = self.stack.last().is_some_and(|o| o.no_translate);
                    if let Some((_, builder)) = inline.as_mut() {
                        if empty {
                            builder.empty(&e);
                        } else {
                            builder.start(&e);
                            let open = open_element(&e, &self.stack);
                            self.stack.push(open);
                        }
                        continue;
                    }
                    match (name.as_str(), parent) {
                        ("segment" | "trans-unit", _) if segment.is_some() => {
                            return Err(self.xml.error(format!("a <{name}> inside a segment")));
                        }
                        ("unit", _) => self.data.clear(),
                        ("data", Some("originalData")) => {
                            data =
                                Some((xml::attribute(&e, "id").unwrap_or_default(), String::new()))
                        }
                        ("cp", Some("data")) => {
                            if let (Some((_, text)), Some(c)) = (
                                data.as_mut(),
                                xml::attribute(&e, "hex")
                                    .and_then(|h| u32::from_str_radix(&h, 16).ok())
                                    .and_then(char::from_u32),
                            ) {
                                text.push(c);
                            }
                        }
                        // A 2.0 segment belongs to a unit, a 1.2 trans-unit to
                        // the body or a group (not to an <ignorable>, a
                        // <mtc:match> or an <alt-trans>).
                        ("segment", Some("unit")) | ("trans-unit", Some("body" | "group")) => {
                            raw.write_event(Event::Start(e.borrow()))
                                .map_err(|e| Error::io("cannot read", self.xml.path(), e))?;
                            let restype = xml::attribute(&e, "restype");
                            segment = Some(ReadSegment {
                                line,
                                state: xml::attribute(&e, "state").filter(|_| name == "segment"),
                                approved: xml::attribute(&e, "approved"),
                                not_text: restype.as_deref() == Some("x-gettext-domain-header")
                                    || xml::attribute(&e, "translate").as_deref() == Some("no")
                                    || inherited,
                                ..ReadSegment::default()
                            });
                            if empty {
                                // <segment/>: nothing to learn, but it counts.
                                let mut s = segment.take().expect("just set");
                                s.raw = raw.into_inner();
                                return Ok(Some(self.finish_segment(s)));
                            }
                        }
                        ("source", Some("segment" | "trans-unit")) if segment.is_some() => {
                            let builder = InlineBuilder::new(dialect).with_data(self.data.clone());
                            if empty {
                                if let Some(s) = segment.as_mut() {
                                    s.source = builder.finish();
                                }
                            } else {
                                inline = Some((false, builder));
                            }
                        }
                        ("target", Some("segment" | "trans-unit")) if segment.is_some() => {
                            if let Some(s) = segment.as_mut() {
                                if s.target.is_some() {
                                    s.problem = Some(format!(
                                        "two <target> elements in one {}",
                                        parent.unwrap_or("segment")
                                    ));
                                }
                                s.target = Some((Coded::default(), Vec::new()));
                                if let Some(state) = xml::attribute(&e, "state")
                                    && !self.version.starts_with('2')
                                {
                                    s.state = Some(state);
                                }
                            }
                            if !empty {
                                let builder =
                                    InlineBuilder::new(dialect).with_data(self.data.clone());
                                inline = Some((true, builder));
                            }
                        }
                        _ => {}
                    }
                    if !empty {
                        let open = open_element(&e, &self.stack);
                        self.stack.push(open);
                    }
                }
                Event::End(_) => {
                    let closed = self.stack.pop().map(|o| o.name);
                    let closed = closed.as_deref().unwrap_or("");
                    if let Some((into_target, builder)) = inline.as_mut() {
                        let local = closed.rsplit(':').next().unwrap_or(closed);
                        if builder.end(local) {
                            continue;
                        }
                        let into_target = *into_target;
                        let (_, builder) = inline.take().expect("reading a source or target");
                        if let Some(s) = segment.as_mut() {
                            if into_target {
                                s.target = Some(builder.finish());
                            } else {
                                s.source = builder.finish();
                            }
                        }
                        continue;
                    }
                    match closed {
                        "data" => {
                            if let Some((id, text)) = data.take() {
                                self.data.insert(id, text);
                            }
                        }
                        "segment" | "trans-unit" => {
                            if let Some(mut s) = segment.take() {
                                s.raw = raw.into_inner();
                                return Ok(Some(self.finish_segment(s)));
                            }
                        }
                        _ => {}
                    }
                }
                Event::Text(t) => push(&mut inline, &mut data, &t.xml10_content()),
                Event::CData(c) => push(&mut inline, &mut data, &c.xml10_content()),
                Event::GeneralRef(r) => {
                    let text = xml::entity_text(&r).map_err(|e| self.xml.error(e))?;
                    push(&mut inline, &mut data, &text)
                }
                Event::Eof => {
                    self.finished = true;
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// Count a segment and give it the raw form of a rejected row.
    fn finish_segment(&mut self, mut segment: ReadSegment) -> ReadSegment {
        self.segments += 1;
        if self.is_v2() {
            let mut raw = format!("<unit id=\"r{}\">", self.segments).into_bytes();
            raw.append(&mut segment.raw);
            raw.extend_from_slice(b"</unit>\n");
            segment.raw = raw;
        } else {
            segment.raw.push(b'\n');
        }
        segment
    }
}

/// The stack entry of an element that opens inside `stack`.
fn open_element(e: &quick_xml::events::BytesStart<'_>, stack: &[Open]) -> Open {
    Open {
        name: e.name().into_inner().to_string(),
        no_translate: stack.last().is_some_and(|o| o.no_translate)
            || xml::attribute(e, "translate").as_deref() == Some("no"),
    }
}

/// Text of a source or target being read, or of `originalData`.
fn push(
    inline: &mut Option<(bool, InlineBuilder)>,
    data: &mut Option<(String, String)>,
    text: &str,
) {
    if let Some((_, builder)) = inline.as_mut() {
        builder.push_text(text);
    } else if let Some((_, data)) = data.as_mut() {
        data.push_str(text);
    }
}

/// A segment without white space at either end, its codes kept in place.
fn trimmed(segment: &(Coded, Vec<CodeKey>)) -> (Coded, Vec<CodeKey>) {
    let (coded, keys) = segment;
    let start = coded.text.len() - coded.text.trim_start().len();
    let end = coded.text.trim_end().len().max(start);
    let codes = coded
        .codes
        .iter()
        .map(|c| Code {
            at: c.at.clamp(start, end) - start,
            ..c.clone()
        })
        .collect();
    (
        Coded {
            text: coded.text[start..end].to_string(),
            codes,
        },
        keys.clone(),
    )
}

impl RowSource for XliffReader {
    fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>> {
        loop {
            let Some(segment) = self.current.take() else {
                return Ok(None);
            };
            self.current = self.read_segment()?;
            let source = trimmed(&segment.source);
            let previous = self.previous_source.replace(source.0.text.clone());
            if let Some(reason) = segment.problem {
                return Ok(Some(Err(BadRow {
                    line: segment.line,
                    reason,
                    raw: segment.raw,
                })));
            }
            let target = segment
                .target
                .as_ref()
                .map(trimmed)
                .filter(|t| !t.0.text.is_empty());
            let (true, Some(target)) = (self.confirmed(&segment), target) else {
                self.skipped += 1;
                continue;
            };
            let (source, target) = inline::align(source, target);
            return Ok(Some(Ok(PairRow {
                line: segment.line,
                source: source.text,
                target: target.text,
                source_codes: source.codes,
                target_codes: target.codes,
                origin: self.origin.clone(),
                prev_source: previous,
                next_source: self
                    .current
                    .as_ref()
                    .map(|n| n.source.0.text.trim().to_string()),
                raw: segment.raw,
                ..PairRow::default()
            })));
        }
    }

    fn bytes_read(&self) -> u64 {
        self.xml.position()
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
        let body = if self.is_v2() { "" } else { "<body>\n" };
        let head = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{}>\n<{}>\n{body}",
            self.root_tag, self.file_tag
        );
        let tail = if self.is_v2() {
            "</file>\n</xliff>\n"
        } else {
            "</body>\n</file>\n</xliff>\n"
        };
        (head.into_bytes(), tail.as_bytes().to_vec())
    }

    fn is_reviewed_draft(&self) -> bool {
        true
    }
}
