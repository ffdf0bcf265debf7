//! TBX termbases: read TBX 2 / TBX-Basic (`martif/text/body/termEntry/
//! langSet/tig|ntig/term`) and TBX v3 (`tbx/text/body/conceptEntry/langSec/
//! termSec/term`); write TBX-Basic, one `termEntry` per term pair, as
//! OmegaT and Translate Toolkit read it.
//!
//! Each entry gives one term pair per source term and target term. The
//! `administrativeStatus` (or `normativeAuthorization`) of the target term
//! becomes the status: preferred, admitted, or forbidden for deprecated and
//! superseded terms. `subjectField` is the domain; `definition` descriptions
//! and notes become the note. An entry without a term in both languages is
//! a [`BadRow`]; malformed XML is a fatal error with its line.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::path::Path;

use quick_xml::Writer;
use quick_xml::events::Event;

use super::xml::{self, Limits, XmlFile};
use super::{BadRow, PairRow, RowSource};
use crate::error::{Error, Kind, Result};
use crate::glossary::Pos;

/// One term of an entry.
#[derive(Debug, Default)]
struct TermOf {
    lang: String,
    text: String,
    status: Option<&'static str>,
    pos: Option<&'static str>,
    notes: Vec<String>,
}

/// One `termEntry` / `conceptEntry` as read.
#[derive(Debug, Default)]
struct Entry {
    line: u64,
    terms: Vec<TermOf>,
    domain: Option<String>,
    notes: Vec<String>,
    raw: Vec<u8>,
}

/// What the text being read belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    Term,
    Status,
    Domain,
    Note,
    Pos,
    Other,
}

/// Streams the term pairs of a TBX file.
pub struct TbxReader {
    xml: XmlFile,
    buf: Vec<u8>,
    limits: Limits,
    /// `<body>` was seen.
    body_seen: bool,
    source_lang: String,
    target_lang: String,
    dialect: &'static str,
    queued: VecDeque<std::result::Result<PairRow, BadRow>>,
    finished: bool,
}

/// `preferredTerm-admn-sts`, `deprecatedTerm`… as a glossary status.
fn status_of(value: &str) -> Option<&'static str> {
    let v = value.trim().to_ascii_lowercase();
    if v.starts_with("preferred") {
        Some("preferred")
    } else if v.starts_with("admitted") {
        Some("admitted")
    } else if v.starts_with("deprecated")
        || v.starts_with("superseded")
        || v.contains("notrecommended")
    {
        Some("forbidden")
    } else {
        None
    }
}

impl TbxReader {
    pub fn open(
        path: &Path,
        source_lang: &str,
        target_lang: &str,
        limits: Limits,
    ) -> Result<TbxReader> {
        let mut xml = xml::open(path, limits)?;
        let mut buf = Vec::new();
        let dialect = loop {
            match xml.next(&mut buf)? {
                Event::Start(e) | Event::Empty(e) => match xml::local_name(&e).as_str() {
                    "martif" => break "TBX 2",
                    "tbx" => break "TBX v3",
                    other => {
                        return Err(Error::new(
                            Kind::Input,
                            format!("not a TBX file: the document starts with <{other}>, not <martif> or <tbx>"),
                        )
                        .at(path));
                    }
                },
                _ => {}
            }
        };
        Ok(TbxReader {
            xml,
            buf,
            limits,
            body_seen: false,
            source_lang: source_lang.to_string(),
            target_lang: target_lang.to_string(),
            dialect,
            queued: VecDeque::new(),
            finished: false,
        })
    }

    fn next_entry(&mut self) -> Result<Option<Entry>> {
        let mut entry: Option<Entry> = None;
        let mut raw = Writer::new(Vec::new());
        let mut lang = String::new();
        let mut capture: Vec<(Capture, String)> = Vec::new();
        loop {
            let line = self.xml.line();
            let event = self.xml.next(&mut self.buf)?;
            if entry.is_some() && !matches!(event, Event::Eof) {
                raw.write_event(event.borrow())
                    .map_err(|e| Error::io("cannot read", self.xml.path(), e))?;
                if raw.get_ref().len() as u64 > self.limits.max_event {
                    return Err(self.xml.error(format!(
                        "an entry of more than {} MiB",
                        self.limits.max_event >> 20
                    )));
                }
            }
            match event {
                Event::Start(e) => {
                    let name = xml::local_name(&e);
                    match name.as_str() {
                        "termEntry" | "conceptEntry" if entry.is_some() => {
                            return Err(self.xml.error(format!("a <{name}> inside an entry")));
                        }
                        "body" if self.body_seen => {
                            return Err(self.xml.error(
                                "a second <body>: two TBX files glued together? Import them one by one",
                            ));
                        }
                        "body" => self.body_seen = true,
                        "termEntry" | "conceptEntry" => {
                            raw.write_event(Event::Start(e.borrow()))
                                .map_err(|e| Error::io("cannot read", self.xml.path(), e))?;
                            entry = Some(Entry {
                                line,
                                ..Entry::default()
                            });
                        }
                        "langSet" | "langSec" => {
                            lang = xml::attribute(&e, "lang").unwrap_or_default()
                        }
                        "tig" | "ntig" | "termSec" => {
                            if let Some(entry) = entry.as_mut() {
                                entry.terms.push(TermOf {
                                    lang: lang.clone(),
                                    ..TermOf::default()
                                });
                            }
                        }
                        _ => {}
                    }
                    let kind = match name.as_str() {
                        "term" => Capture::Term,
                        // TBX v3 in the DCT style: <basic:administrativeStatus>.
                        "administrativeStatus" | "normativeAuthorization" => Capture::Status,
                        "subjectField" => Capture::Domain,
                        "definition" => Capture::Note,
                        "termNote"
                            if matches!(
                                xml::attribute(&e, "type").as_deref(),
                                Some("administrativeStatus" | "normativeAuthorization")
                            ) =>
                        {
                            Capture::Status
                        }
                        "termNote"
                            if xml::attribute(&e, "type").as_deref() == Some("partOfSpeech") =>
                        {
                            Capture::Pos
                        }
                        "partOfSpeech" => Capture::Pos,
                        "descrip"
                            if xml::attribute(&e, "type").as_deref() == Some("subjectField") =>
                        {
                            Capture::Domain
                        }
                        "descrip"
                            if xml::attribute(&e, "type").as_deref() == Some("definition") =>
                        {
                            Capture::Note
                        }
                        "note" => Capture::Note,
                        _ => Capture::Other,
                    };
                    capture.push((kind, String::new()));
                }
                Event::End(e) => {
                    let name = e.local_name();
                    let name: &str = name.as_ref();
                    if matches!(name, "termEntry" | "conceptEntry") {
                        if let Some(mut entry) = entry.take() {
                            entry.raw = raw.into_inner();
                            entry.raw.push(b'\n');
                            return Ok(Some(entry));
                        }
                        continue;
                    }
                    let (Some((kind, text)), Some(entry)) = (capture.pop(), entry.as_mut()) else {
                        continue;
                    };
                    let text = text.trim().to_string();
                    let term = entry.terms.last_mut();
                    match (kind, term) {
                        (Capture::Term, Some(term)) => term.text = text,
                        (Capture::Status, Some(term)) => term.status = status_of(&text),
                        (Capture::Pos, Some(term)) if !text.is_empty() => {
                            term.pos = Pos::parse(&text).map(Pos::name)
                        }
                        (Capture::Note, Some(term)) if !text.is_empty() => term.notes.push(text),
                        (Capture::Note, None) if !text.is_empty() => entry.notes.push(text),
                        (Capture::Domain, _) if !text.is_empty() => entry.domain = Some(text),
                        _ => {}
                    }
                }
                Event::Text(t) => append(&mut capture, &t.xml10_content()),
                Event::CData(c) => append(&mut capture, &c.xml10_content()),
                Event::GeneralRef(r) => {
                    let text = xml::entity_text(&r).map_err(|e| self.xml.error(e))?;
                    append(&mut capture, &text)
                }
                Event::Eof => {
                    self.finished = true;
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// The term pairs of an entry, or why it gives none.
    fn pairs(&self, entry: Entry) -> Vec<std::result::Result<PairRow, BadRow>> {
        // The language sets of the entry (each tag once, in order); the
        // source and the target are two different ones.
        let mut langs: Vec<&str> = Vec::new();
        for term in entry.terms.iter().filter(|t| !t.text.is_empty()) {
            if !langs.contains(&term.lang.as_str()) {
                langs.push(&term.lang);
            }
        }
        let (source_lang, target_lang) =
            match xml::pick_variants(&langs, &self.source_lang, &self.target_lang, None) {
                Ok((s, t)) => (langs[s], langs[t]),
                Err(missing) => {
                    let what = missing.describe(&self.source_lang, &self.target_lang, "term");
                    return vec![Err(BadRow {
                        line: entry.line,
                        reason: format!("{what} in this entry"),
                        raw: entry.raw,
                    })];
                }
            };
        let of = |lang: &str| -> Vec<&TermOf> {
            entry
                .terms
                .iter()
                .filter(|t| t.lang == lang && !t.text.is_empty())
                .collect()
        };
        let (sources, targets) = (of(source_lang), of(target_lang));
        let mut out = Vec::new();
        for source in &sources {
            for target in &targets {
                let notes: Vec<&str> = entry
                    .notes
                    .iter()
                    .chain(&source.notes)
                    .chain(&target.notes)
                    .map(String::as_str)
                    .collect();
                out.push(Ok(PairRow {
                    line: entry.line,
                    source: source.text.clone(),
                    target: target.text.clone(),
                    domain: entry.domain.clone(),
                    note: Some(notes.join("; ")).filter(|n| !n.is_empty()),
                    status: target.status.map(str::to_string),
                    pos: source.pos.map(str::to_string),
                    raw: entry.raw.clone(),
                    ..PairRow::default()
                }));
            }
        }
        out
    }
}

/// Text goes to the innermost element that keeps it: inline markup such as
/// `<hi>` inside a `<term>` passes its text to the term.
fn append(capture: &mut [(Capture, String)], text: &str) {
    let keeper = capture
        .iter_mut()
        .rev()
        .find(|(kind, _)| *kind != Capture::Other);
    if let Some((_, buffer)) = keeper {
        buffer.push_str(text);
    }
}

impl RowSource for TbxReader {
    fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>> {
        while self.queued.is_empty() && !self.finished {
            match self.next_entry()? {
                Some(entry) => {
                    let pairs = self.pairs(entry);
                    self.queued.extend(pairs);
                }
                None => break,
            }
        }
        Ok(self.queued.pop_front())
    }

    fn bytes_read(&self) -> u64 {
        self.xml.position()
    }

    fn describe(&self) -> String {
        format!("{}, {}", self.dialect, self.xml.encoding)
    }

    fn rejects_frame(&self) -> (Vec<u8>, Vec<u8>) {
        let mut prelude = Vec::new();
        write_header(&mut prelude).expect("writing to memory");
        (prelude, FOOTER.to_vec())
    }
}

const FOOTER: &[u8] = b"</body>\n</text>\n</martif>\n";

fn write_header(out: &mut impl Write) -> io::Result<()> {
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <martif type=\"TBX-Basic\" xml:lang=\"en\">\n\
         <martifHeader><fileDesc><sourceDesc><p>memoire {}</p></sourceDesc></fileDesc></martifHeader>\n\
         <text>\n<body>\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// A term pair to write.
#[derive(Debug, Clone, Copy)]
pub struct EntryOut<'a> {
    pub source_lang: &'a str,
    pub source: &'a str,
    pub target_lang: &'a str,
    pub target: &'a str,
    pub domain: Option<&'a str>,
    pub note: Option<&'a str>,
    /// `preferred`, `admitted` or `forbidden`.
    pub status: &'a str,
    /// The source's part of speech (`noun`…), written as TBX's
    /// `partOfSpeech`.
    pub pos: Option<&'a str>,
}

/// Writes TBX-Basic.
pub struct TbxWriter<W: Write> {
    out: W,
    entries: u64,
}

impl<W: Write> TbxWriter<W> {
    pub fn new(mut out: W) -> io::Result<Self> {
        write_header(&mut out)?;
        Ok(TbxWriter { out, entries: 0 })
    }

    pub fn entry(&mut self, e: &EntryOut<'_>) -> io::Result<()> {
        self.entries += 1;
        writeln!(self.out, "<termEntry id=\"t{}\">", self.entries)?;
        if let Some(domain) = e.domain {
            writeln!(
                self.out,
                "  <descrip type=\"subjectField\">{}</descrip>",
                xml::text(domain)
            )?;
        }
        if let Some(note) = e.note {
            writeln!(self.out, "  <note>{}</note>", xml::text(note))?;
        }
        // TBX-Basic's picklist: noun, verb, adjective, properNoun, other.
        let pos = e.pos.map_or(String::new(), |pos| {
            let tbx = Pos::parse(pos).map_or("other", Pos::tbx);
            format!("<termNote type=\"partOfSpeech\">{tbx}</termNote>")
        });
        writeln!(
            self.out,
            "  <langSet xml:lang=\"{}\"><tig><term>{}</term>{pos}</tig></langSet>",
            xml::text(e.source_lang),
            xml::text(e.source)
        )?;
        let status = match e.status {
            "forbidden" => "deprecatedTerm-admn-sts",
            "admitted" => "admittedTerm-admn-sts",
            _ => "preferredTerm-admn-sts",
        };
        writeln!(
            self.out,
            "  <langSet xml:lang=\"{}\"><tig><term>{}</term><termNote type=\"administrativeStatus\">{status}</termNote></tig></langSet>",
            xml::text(e.target_lang),
            xml::text(e.target)
        )?;
        writeln!(self.out, "</termEntry>")
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.write_all(FOOTER)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<(Vec<PairRow>, Vec<BadRow>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.tbx");
        std::fs::write(&path, text).unwrap();
        let mut reader = TbxReader::open(&path, "fr", "en", Limits::default())?;
        let (mut good, mut bad) = (vec![], vec![]);
        while let Some(row) = reader.next_row()? {
            match row {
                Ok(row) => good.push(row),
                Err(row) => bad.push(row),
            }
        }
        Ok((good, bad))
    }

    #[test]
    fn tbx2_entries_give_pairs_with_status_domain_and_note() {
        let text = r#"<?xml version="1.0"?>
<martif type="TBX-Basic" xml:lang="fr"><text><body>
<termEntry id="1">
  <descrip type="subjectField">diplomatie</descrip>
  <langSet xml:lang="fr-FR"><tig><term>cessez-le-feu</term></tig></langSet>
  <langSet xml:lang="en-GB">
    <tig><term>ceasefire</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote></tig>
    <ntig><termGrp><term>cease-fire</term></termGrp><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote><note>US spelling</note></ntig>
  </langSet>
</termEntry>
<termEntry id="2"><langSet xml:lang="fr"><tig><term>orphelin</term></tig></langSet></termEntry>
</body></text></martif>"#;
        let (good, bad) = read(text).unwrap();
        let pairs: Vec<(&str, Option<&str>)> = good
            .iter()
            .map(|p| (p.target.as_str(), p.status.as_deref()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("ceasefire", Some("preferred")),
                ("cease-fire", Some("forbidden"))
            ]
        );
        assert_eq!(good[0].domain.as_deref(), Some("diplomatie"));
        assert_eq!(good[1].note.as_deref(), Some("US spelling"));
        assert_eq!((bad.len(), bad[0].line), (1, 11));
        assert_eq!(bad[0].reason, "no en term in this entry");
    }

    #[test]
    fn dct_style_and_inline_markup_in_terms() {
        // Regression (review): <basic:administrativeStatus> was ignored and
        // the text inside <hi> was lost.
        let text = r#"<tbx xmlns:basic="http://www.tbxinfo.net/ns/basic"><text><body>
<conceptEntry id="c1"><basic:subjectField>politique</basic:subjectField>
<langSec xml:lang="fr"><termSec><term>Conseil <hi>fédéral</hi></term></termSec></langSec>
<langSec xml:lang="en"><termSec><term>Federal Counsel</term><basic:administrativeStatus>deprecatedTerm-admn-sts</basic:administrativeStatus></termSec></langSec>
</conceptEntry></body></text></tbx>"#;
        let (good, _) = read(text).unwrap();
        assert_eq!(good[0].source, "Conseil fédéral");
        assert_eq!(good[0].status.as_deref(), Some("forbidden"));
        assert_eq!(good[0].domain.as_deref(), Some("politique"));
    }

    #[test]
    fn tbx3_concept_entries_are_read() {
        let text = r#"<tbx type="TBX-Core" xml:lang="en"><text><body>
<conceptEntry id="c1"><descrip type="definition">Alliance militaire</descrip>
<langSec xml:lang="fr"><termSec><term>OTSC</term></termSec></langSec>
<langSec xml:lang="en"><termSec><term>CSTO</term><termNote type="administrativeStatus">admittedTerm-admn-sts</termNote></termSec></langSec>
</conceptEntry></body></text></tbx>"#;
        let (good, _) = read(text).unwrap();
        assert_eq!(
            (good[0].source.as_str(), good[0].target.as_str()),
            ("OTSC", "CSTO")
        );
        assert_eq!(good[0].status.as_deref(), Some("admitted"));
        assert_eq!(good[0].note.as_deref(), Some("Alliance militaire"));
    }

    #[test]
    fn written_tbx_reads_back() {
        let mut out = Vec::new();
        let mut writer = TbxWriter::new(&mut out).unwrap();
        writer
            .entry(&EntryOut {
                source_lang: "fr",
                source: "actuellement",
                target_lang: "en",
                target: "actually",
                domain: Some("false-friend"),
                note: Some("use <currently> & co"),
                status: "forbidden",
                pos: Some("adj"),
            })
            .unwrap();
        writer.finish().unwrap();
        let (good, bad) = read(&String::from_utf8(out).unwrap()).unwrap();
        assert!(bad.is_empty());
        assert_eq!(good[0].status.as_deref(), Some("forbidden"));
        assert_eq!(good[0].note.as_deref(), Some("use <currently> & co"));
        assert_eq!(good[0].domain.as_deref(), Some("false-friend"));
        assert_eq!(good[0].pos.as_deref(), Some("adj"));
    }
}
