//! TMX 1.1 to 1.4b: read unit by unit with constant memory, write 1.4b.
//!
//! Reading: UTF-8, UTF-16 with or without byte-order mark (as Trados
//! writes it), or a declared Latin-1. Each `<tu>` becomes one pair: the
//! `<tuv>` whose `xml:lang` (or TMX 1.1 `lang`) is the source language and
//! the one that is the target language, matched by tag then by language
//! (`fr-FR`, `fr-CA`, `FR` and `fr` all count as `fr`; asked for `fr-ch`,
//! a `fr-CH` variant wins). Inline codes (`bpt`, `ept`, `ph`, `it`, `ut`,
//! `hi`; TMX level 2) are kept as the pair's codes, their native code (and
//! any `sub` text in it) as each code's markup, and written back the same
//! way (see [`super::inline`]); entities and CDATA are decoded.
//! `creationdate`, `changedate` and `usagecount` are kept, `note`s and
//! `prop`s become the pair's note, and the `x-origin` prop memoire writes
//! gives back the pair's origin label. A unit without both languages or with an
//! empty segment is a [`BadRow`] (its XML goes to a rejects TMX); malformed
//! XML or a truncated file is a fatal error with its line.

use std::io::{self, Write};
use std::path::Path;

use quick_xml::Writer;
use quick_xml::events::Event;

use super::inline::{self, CodeKey, Dialect, InlineBuilder};
use super::xml::{self, Limits, XmlFile};
use super::{BadRow, PairRow, RowSource};
use crate::error::{Error, Kind, Result};
use crate::text::{Code, Coded};

/// The props in which memoire keeps a pair's origin label and its context
/// (the sentences before and after it where it was translated).
const ORIGIN_PROP: &str = "x-origin";
const PREV_PROP: &str = "x-context-prev";
const NEXT_PROP: &str = "x-context-next";

/// One `<tu>` as read.
#[derive(Debug, Default)]
struct Unit {
    line: u64,
    variants: Vec<(String, (Coded, Vec<CodeKey>))>,
    created: Option<String>,
    changed: Option<String>,
    created_by: Option<String>,
    changed_by: Option<String>,
    usage: Option<i64>,
    notes: Vec<String>,
    /// `<prop type="x-origin">`, `x-context-prev`, `x-context-next`, which
    /// memoire writes.
    origin: Option<String>,
    prev: Option<String>,
    next: Option<String>,
    raw: Vec<u8>,
    /// Why the unit cannot be read as one pair (two segments in a tuv).
    problem: Option<String>,
}

/// Streams the units of a TMX file as pairs.
pub struct TmxReader {
    xml: XmlFile,
    buf: Vec<u8>,
    limits: Limits,
    source_lang: String,
    target_lang: String,
    version: String,
    srclang: Option<String>,
    /// Inside `<body>`; `<body>` was seen and closed.
    in_body: bool,
    body_done: bool,
    finished: bool,
}

impl TmxReader {
    /// Open `path` and read up to `<body>`.
    pub fn open(
        path: &Path,
        source_lang: &str,
        target_lang: &str,
        limits: Limits,
    ) -> Result<TmxReader> {
        let mut xml = xml::open(path, limits)?;
        let mut buf = Vec::new();
        let (mut version, mut srclang, mut seen_root) = (String::new(), None, false);
        let body_done;
        loop {
            let event = xml.next(&mut buf)?;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(e) | Event::Empty(e) => match xml::local_name(&e).as_str() {
                    "tmx" if !seen_root => {
                        seen_root = true;
                        version = xml::attribute(&e, "version").unwrap_or_default();
                    }
                    "header" => srclang = xml::attribute(&e, "srclang"),
                    "body" if seen_root => {
                        body_done = empty;
                        break;
                    }
                    other if !seen_root => {
                        return Err(Error::new(
                            Kind::Input,
                            format!(
                                "not a TMX file: the document starts with <{other}>, not <tmx>"
                            ),
                        )
                        .at(path));
                    }
                    "tu" => return Err(xml.error("a <tu> before <body>")),
                    _ => {}
                },
                Event::Eof => {
                    return Err(
                        Error::new(Kind::Input, "not a TMX file: no <tmx><body> found").at(path),
                    );
                }
                _ => {}
            }
        }
        Ok(TmxReader {
            xml,
            buf,
            limits,
            source_lang: source_lang.to_string(),
            target_lang: target_lang.to_string(),
            version,
            srclang,
            in_body: !body_done,
            body_done,
            finished: false,
        })
    }

    /// The next `<tu>`, or `None` once the whole document has been read.
    fn next_unit(&mut self) -> Result<Option<Unit>> {
        if self.finished {
            return Ok(None);
        }
        let mut unit: Option<Unit> = None;
        let mut raw = Writer::new(Vec::new());
        let (mut lang, mut seg, mut note) = (None::<String>, None::<InlineBuilder>, None::<String>);
        // The prop being read is the origin label, not a note.
        // The prop being read is one of memoire's own, not a note.
        let mut own_prop: Option<&'static str> = None;
        let mut segs_in_tuv = 0u32;
        loop {
            let line = self.xml.line();
            let event = self.xml.next(&mut self.buf)?;
            if unit.is_some() && !matches!(event, Event::Eof) {
                raw.write_event(event.borrow())
                    .map_err(|e| Error::io("cannot read", self.xml.path(), e))?;
                if raw.get_ref().len() as u64 > self.limits.max_event {
                    return Err(self.xml.error(format!(
                        "a <tu> of more than {} MiB",
                        self.limits.max_event >> 20
                    )));
                }
            }
            match event {
                Event::Start(e) => match xml::local_name(&e).as_str() {
                    "tu" if unit.is_some() => return Err(self.xml.error("a <tu> inside a <tu>")),
                    "tu" if !self.in_body => {
                        return Err(self.xml.error("a <tu> outside <body>"));
                    }
                    "tu" => {
                        raw.write_event(Event::Start(e.borrow()))
                            .map_err(|e| Error::io("cannot read", self.xml.path(), e))?;
                        unit = Some(Unit {
                            line,
                            created: xml::attribute(&e, "creationdate")
                                .and_then(|d| xml::tmx_date_to_iso(&d)),
                            changed: xml::attribute(&e, "changedate")
                                .and_then(|d| xml::tmx_date_to_iso(&d)),
                            usage: xml::attribute(&e, "usagecount")
                                .and_then(|n| n.trim().parse().ok()),
                            created_by: xml::attribute(&e, "creationid")
                                .filter(|id| !id.trim().is_empty()),
                            changed_by: xml::attribute(&e, "changeid")
                                .filter(|id| !id.trim().is_empty()),
                            ..Unit::default()
                        });
                    }
                    "body" => {
                        return Err(self.xml.error(
                            "a second <body>: two TMX files glued together? Import them one by one",
                        ));
                    }
                    "tuv" => {
                        lang = xml::attribute(&e, "lang");
                        segs_in_tuv = 0;
                    }
                    "seg" if seg.is_some() => {
                        return Err(self.xml.error("a <seg> inside a <seg>"));
                    }
                    name if seg.is_some() && name != "seg" => {
                        seg.as_mut().expect("in a seg").start(&e);
                    }
                    "seg" => {
                        seg = Some(InlineBuilder::new(Dialect::Tmx));
                        segs_in_tuv += 1;
                        if segs_in_tuv > 1
                            && let Some(unit) = unit.as_mut()
                        {
                            unit.problem = Some("two <seg> elements in one <tuv>".to_string());
                        }
                    }
                    "note" => note = Some(String::new()),
                    "prop" => {
                        let kind = xml::attribute(&e, "type");
                        own_prop = [ORIGIN_PROP, PREV_PROP, NEXT_PROP]
                            .into_iter()
                            .find(|p| kind.as_deref() == Some(*p));
                        note = Some(match kind {
                            Some(kind) if own_prop.is_none() => format!("{kind}: "),
                            _ => String::new(),
                        });
                    }
                    _ => {}
                },
                Event::Empty(e) => match xml::local_name(&e).as_str() {
                    _ if seg.is_some() => {
                        seg.as_mut().expect("in a seg").empty(&e);
                    }
                    "seg" => {
                        if let (Some(unit), Some(lang)) = (unit.as_mut(), lang.as_ref()) {
                            unit.variants
                                .push((lang.clone(), (Coded::default(), Vec::new())));
                        }
                    }
                    "tu" if !self.in_body => return Err(self.xml.error("a <tu> outside <body>")),
                    "body" => {
                        return Err(self.xml.error(
                            "a second <body>: two TMX files glued together? Import them one by one",
                        ));
                    }
                    _ => {}
                },
                Event::End(e) => {
                    let name = e.local_name();
                    let name: &str = name.as_ref();
                    if let Some(builder) = seg.as_mut()
                        && name != "seg"
                    {
                        builder.end(name);
                        continue;
                    }
                    match name {
                        "seg" => {
                            if let (Some(unit), Some(lang), Some(builder)) =
                                (unit.as_mut(), lang.as_ref(), seg.take())
                            {
                                unit.variants.push((lang.clone(), builder.finish()));
                            }
                        }
                        "note" | "prop" => {
                            if let (Some(unit), Some(text)) = (unit.as_mut(), note.take()) {
                                let text = text.trim().to_string();
                                let value = Some(text.clone()).filter(|t| !t.is_empty());
                                match own_prop.take() {
                                    Some(ORIGIN_PROP) => unit.origin = value,
                                    Some(PREV_PROP) => unit.prev = value,
                                    Some(NEXT_PROP) => unit.next = value,
                                    _ => unit.notes.push(text),
                                }
                            }
                        }
                        "tu" => {
                            if let Some(mut unit) = unit.take() {
                                unit.raw = raw.into_inner();
                                unit.raw.push(b'\n');
                                return Ok(Some(unit));
                            }
                        }
                        "body" => {
                            self.in_body = false;
                            self.body_done = true;
                        }
                        _ => {}
                    }
                }
                Event::Text(t) => push_text(&mut seg, &mut note, &t.xml10_content()),
                Event::CData(c) => push_text(&mut seg, &mut note, &c.xml10_content()),
                Event::GeneralRef(r) => {
                    let text = xml::entity_text(&r).map_err(|e| self.xml.error(e))?;
                    push_text(&mut seg, &mut note, &text)
                }
                Event::Eof => {
                    self.finished = true;
                    if !self.body_done {
                        return Err(self
                            .xml
                            .error("the file ends before </body>: it is truncated"));
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// The pair a unit holds, or why it holds none.
    fn pair(&self, unit: Unit) -> std::result::Result<PairRow, BadRow> {
        let bad = |reason: String| BadRow {
            line: unit.line,
            reason,
            raw: unit.raw.clone(),
        };
        if let Some(problem) = &unit.problem {
            return Err(bad(problem.clone()));
        }
        let langs: Vec<&str> = unit.variants.iter().map(|(l, _)| l.as_str()).collect();
        let (source, target) = xml::pick_variants(
            &langs,
            &self.source_lang,
            &self.target_lang,
            self.srclang.as_deref(),
        )
        .map_err(|missing| {
            let listed = if langs.is_empty() {
                "none".to_string()
            } else {
                langs.join(", ")
            };
            let what = missing.describe(&self.source_lang, &self.target_lang, "variant");
            bad(format!("{what} (languages: {listed})"))
        })?;
        let trimmed = |k: usize| {
            let (coded, keys) = &unit.variants[k].1;
            (trim_indentation(coded), keys.clone())
        };
        let (source, target) = inline::align(trimmed(source), trimmed(target));
        if source.text.is_empty() {
            return Err(bad("empty source segment".to_string()));
        }
        if target.text.is_empty() {
            return Err(bad("empty target segment".to_string()));
        }
        let note = Some(unit.notes.join("; ")).filter(|n| !n.is_empty());
        Ok(PairRow {
            line: unit.line,
            source: source.text,
            target: target.text,
            source_codes: source.codes,
            target_codes: target.codes,
            origin: unit.origin,
            prev_source: unit.prev,
            next_source: unit.next,
            note,
            created_at: unit.created,
            changed_at: unit.changed,
            created_by: unit.created_by,
            changed_by: unit.changed_by,
            usage_count: unit.usage,
            raw: unit.raw,
            ..PairRow::default()
        })
    }
}

/// A segment without the line breaks and indentation that pretty-printed
/// TMX puts around its text; spaces a translator typed at either end (no
/// line break among them) are kept, as a CSV import keeps them. Codes keep
/// their place in the text.
fn trim_indentation(coded: &Coded) -> Coded {
    let text = coded.text.as_str();
    let is_space = |c: char| c.is_whitespace();
    let lead = text.len() - text.trim_start_matches(is_space).len();
    let start = if text[..lead].contains(['\n', '\r']) {
        lead
    } else {
        0
    };
    let rest = &text[start..];
    let trail = rest.trim_end_matches(is_space).len();
    let end = if rest[trail..].contains(['\n', '\r']) {
        start + trail
    } else {
        text.len()
    };
    Coded {
        text: text[start..end].to_string(),
        codes: coded
            .codes
            .iter()
            .map(|c| Code {
                at: c.at.clamp(start, end) - start,
                ..c.clone()
            })
            .collect(),
    }
}

/// Text inside a segment or a note.
fn push_text(seg: &mut Option<InlineBuilder>, note: &mut Option<String>, text: &str) {
    if let Some(seg) = seg.as_mut() {
        seg.push_text(text);
    } else if let Some(note) = note.as_mut() {
        note.push_str(text);
    }
}

impl RowSource for TmxReader {
    fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>> {
        Ok(self.next_unit()?.map(|unit| self.pair(unit)))
    }

    fn bytes_read(&self) -> u64 {
        self.xml.position()
    }

    fn describe(&self) -> String {
        let version = if self.version.is_empty() {
            "?"
        } else {
            &self.version
        };
        let srclang = self
            .srclang
            .as_deref()
            .map_or(String::new(), |l| format!(", srclang {l}"));
        format!("TMX {version}, {}{srclang}", self.xml.encoding)
    }

    fn rejects_frame(&self) -> (Vec<u8>, Vec<u8>) {
        let mut prelude = Vec::new();
        write_header(&mut prelude, &self.source_lang).expect("writing to memory");
        (prelude, b"</body>\n</tmx>\n".to_vec())
    }
}

fn write_header(out: &mut impl Write, srclang: &str) -> io::Result<()> {
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <tmx version=\"1.4\">\n\
         <header creationtool=\"memoire\" creationtoolversion=\"{}\" segtype=\"sentence\" \
         o-tmf=\"memoire\" adminlang=\"en\" srclang=\"{}\" datatype=\"plaintext\"/>\n\
         <body>\n",
        env!("CARGO_PKG_VERSION"),
        xml::text(srclang)
    )
}

/// A unit to write.
#[derive(Debug, Clone, Copy)]
pub struct UnitOut<'a> {
    pub source_lang: &'a str,
    pub source: &'a str,
    pub target_lang: &'a str,
    pub target: &'a str,
    /// `YYYY-MM-DDThh:mm:ssZ`.
    pub created_at: &'a str,
    pub changed_at: &'a str,
    pub usage_count: i64,
    pub note: Option<&'a str>,
    pub origin: &'a str,
    /// The sentences before and after the pair where it was translated.
    pub prev_source: Option<&'a str>,
    pub next_source: Option<&'a str>,
    /// Inline codes of the source and the target.
    pub source_codes: &'a [Code],
    pub target_codes: &'a [Code],
    /// Who added and who last changed the pair (`creationid`, `changeid`).
    pub created_by: Option<&'a str>,
    pub changed_by: Option<&'a str>,
}

/// Writes TMX 1.4b: header with creationtool, creationtoolversion, srclang,
/// adminlang, segtype="sentence", datatype, o-tmf; TMX dates; escaped text.
pub struct TmxWriter<W: Write> {
    out: W,
}

impl<W: Write> TmxWriter<W> {
    pub fn new(mut out: W, srclang: &str) -> io::Result<Self> {
        write_header(&mut out, srclang)?;
        Ok(TmxWriter { out })
    }

    pub fn unit(&mut self, unit: &UnitOut<'_>) -> io::Result<()> {
        let id = |name: &str, value: Option<&str>| {
            value.map_or(String::new(), |v| format!(" {name}=\"{}\"", xml::text(v)))
        };
        writeln!(
            self.out,
            "<tu creationdate=\"{}\"{} changedate=\"{}\"{} usagecount=\"{}\">",
            xml::iso_to_tmx_date(unit.created_at),
            id("creationid", unit.created_by),
            xml::iso_to_tmx_date(unit.changed_at),
            id("changeid", unit.changed_by),
            unit.usage_count
        )?;
        writeln!(
            self.out,
            "  <prop type=\"{ORIGIN_PROP}\">{}</prop>",
            xml::text(unit.origin)
        )?;
        for (kind, context) in [(PREV_PROP, unit.prev_source), (NEXT_PROP, unit.next_source)] {
            if let Some(context) = context {
                writeln!(
                    self.out,
                    "  <prop type=\"{kind}\">{}</prop>",
                    xml::text(context)
                )?;
            }
        }
        if let Some(note) = unit.note {
            writeln!(self.out, "  <note>{}</note>", xml::text(note))?;
        }
        for (lang, text, codes) in [
            (unit.source_lang, unit.source, unit.source_codes),
            (unit.target_lang, unit.target, unit.target_codes),
        ] {
            let coded = Coded {
                text: text.to_string(),
                codes: codes.to_vec(),
            };
            writeln!(
                self.out,
                "  <tuv xml:lang=\"{}\"><seg>{}</seg></tuv>",
                xml::text(lang),
                inline::write_tmx(&coded)
            )?;
        }
        writeln!(self.out, "</tu>")
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.write_all(b"</body>\n</tmx>\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], source: &str, target: &str) -> Result<(Vec<PairRow>, Vec<BadRow>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tmx");
        std::fs::write(&path, bytes).unwrap();
        let mut reader = TmxReader::open(&path, source, target, Limits::default())?;
        let (mut good, mut bad) = (vec![], vec![]);
        while let Some(row) = reader.next_row()? {
            match row {
                Ok(row) => good.push(row),
                Err(row) => bad.push(row),
            }
        }
        Ok((good, bad))
    }

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
<header creationtool="test" srclang="fr-FR" segtype="sentence"/>
<body>
<tu creationdate="20240102T030405Z" usagecount="3">
  <prop type="client">ATS</prop>
  <tuv xml:lang="fr-FR"><seg>Le <bpt i="1">&lt;b&gt;</bpt>Conseil<ept i="1">&lt;/b&gt;</ept> a dit &quot;non&quot; &amp; <hi>basta</hi>.</seg></tuv>
  <tuv xml:lang="en-GB"><seg><![CDATA[The <Council> said "no"]]> &#233;</seg></tuv>
  <tuv xml:lang="de-CH"><seg>Der Bundesrat</seg></tuv>
</tu>
<tu><tuv lang="FR"><seg>Seul</seg></tuv></tu>
<tu><tuv xml:lang="fr"><seg>Vide</seg></tuv><tuv xml:lang="en"><seg/></tuv></tu>
</body>
</tmx>
"#;

    #[test]
    fn units_become_pairs_with_their_inline_codes() {
        let (good, bad) = read(SAMPLE.as_bytes(), "fr", "en").unwrap();
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].source, "Le Conseil a dit \"non\" & basta.");
        let source = Coded {
            text: good[0].source.clone(),
            codes: good[0].source_codes.clone(),
        };
        assert_eq!(
            source.display(),
            "Le {1}Conseil{/1} a dit \"non\" & {2}basta{/2}."
        );
        assert_eq!(source.codes[0].markup, "<b>");
        assert_eq!(good[0].target, "The <Council> said \"no\" é");
        assert_eq!(good[0].created_at.as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(good[0].usage_count, Some(3));
        assert_eq!(good[0].note.as_deref(), Some("client: ATS"));
        assert_eq!(good[0].line, 5);
        let reasons: Vec<&str> = bad.iter().map(|b| b.reason.as_str()).collect();
        assert_eq!(
            reasons,
            ["no en variant (languages: FR)", "empty target segment"]
        );
        assert_eq!(bad[0].line, 11);
        assert!(String::from_utf8_lossy(&bad[0].raw).starts_with("<tu><tuv lang=\"FR\">"));
    }

    #[test]
    fn another_target_language_is_chosen_by_tag() {
        let (good, _) = read(SAMPLE.as_bytes(), "fr", "de-ch").unwrap();
        assert_eq!(good[0].target, "Der Bundesrat");
    }

    #[test]
    fn utf16_as_trados_writes_it() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(
            SAMPLE
                .replace("UTF-8", "UTF-16")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let (good, _) = read(&bytes, "fr", "en").unwrap();
        assert_eq!(good[0].source, "Le Conseil a dit \"non\" & basta.");
        let no_bom: Vec<u8> = SAMPLE
            .replace("UTF-8", "UTF-16")
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(read(&no_bom, "fr", "en").unwrap().0.len(), 1);
    }

    #[test]
    fn malformed_and_truncated_files_stop_with_their_line() {
        let broken = SAMPLE.replace(
            "</tuv>\n  <tuv xml:lang=\"de-CH\">",
            "</tuvx>\n  <tuv xml:lang=\"de-CH\">",
        );
        let err = read(broken.as_bytes(), "fr", "en").unwrap_err().to_string();
        assert!(err.contains("t.tmx:8: malformed XML"), "{err}");
        let cut = &SAMPLE[..SAMPLE.find("<tu><tuv lang").unwrap()];
        let err = read(cut.as_bytes(), "fr", "en").unwrap_err().to_string();
        assert!(err.contains("truncated"), "{err}");
        let err = read(b"<html><body></body></html>", "fr", "en")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a TMX file"), "{err}");
    }

    #[test]
    fn written_tmx_reads_back() {
        let mut out = Vec::new();
        let mut writer = TmxWriter::new(&mut out, "fr").unwrap();
        writer
            .unit(&UnitOut {
                source_lang: "fr",
                source: "« Oui » & <non>",
                target_lang: "en",
                target: "\"Yes\" & <no>",
                created_at: "2026-11-24T10:00:00Z",
                changed_at: "2026-11-24T11:00:00Z",
                usage_count: 2,
                note: Some("checked"),
                origin: "client A",
                prev_source: Some("Avant."),
                next_source: None,
                source_codes: &[],
                target_codes: &[],
                created_by: Some("anne \"desk\""),
                changed_by: None,
            })
            .unwrap();
        writer.finish().unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            text.contains("creationtool=\"memoire\"")
                && text.contains("creationdate=\"20261124T100000Z\"")
        );
        let (good, bad) = read(&out, "fr", "en").unwrap();
        assert!(bad.is_empty());
        assert_eq!(
            (good[0].source.as_str(), good[0].target.as_str()),
            ("« Oui » & <non>", "\"Yes\" & <no>")
        );
        assert_eq!(good[0].changed_at.as_deref(), Some("2026-11-24T11:00:00Z"));
        assert_eq!(good[0].note.as_deref(), Some("checked"));
        assert_eq!(good[0].origin.as_deref(), Some("client A"));
        assert_eq!(good[0].prev_source.as_deref(), Some("Avant."));
        assert_eq!(good[0].next_source, None);
        assert_eq!(good[0].created_by.as_deref(), Some("anne \"desk\""));
        assert_eq!(good[0].changed_by, None);
    }
}
