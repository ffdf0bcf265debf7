//! Word (.docx) articles: the paragraphs of the body, tables, headers,
//! footers, footnotes and endnotes, written back as the same file with the
//! translation in place.
//!
//! A paragraph (`w:p`) becomes one segment with codes: runs whose
//! formatting (`w:rPr`) differs from the paragraph's most common one are
//! paired codes keeping that formatting; hyperlinks, inserted text, smart
//! tags and content controls are paired codes keeping their element;
//! tabs, breaks, footnote marks, drawings, fields' instructions, bookmarks
//! and deleted text are standalone codes keeping their XML. Text boxes
//! inside drawings travel with their drawing, untranslated.
//!
//! Writing: every zip entry is copied byte for byte except the parts whose
//! paragraphs changed; in those, a paragraph keeps its own `w:p` start tag
//! and properties (`w:pPr`: style, numbering, layout), and its runs are
//! rebuilt from the translation — unformatted text with the paragraph's
//! base formatting, codes as the runs and elements they were. A paragraph
//! whose translation is its source is written back byte for byte.
//! Untranslated stretches are highlighted in yellow.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::document::{self, DocFormat, Document, Paragraph, Role, TO_CHECK, UNTRANSLATED};
use crate::error::{Error, Kind, Result};
use crate::format::xml;
use crate::text::{Code, CodeKind, Coded};

/// The largest part memoire reads from a Word file (a bomb guard): 256 MiB.
const MAX_PART: u64 = 256 << 20;

/// One paragraph of a part: where it is and what rebuilding it needs.
#[derive(Debug, Clone)]
struct Para {
    /// Byte range of the whole `<w:p …>…</w:p>` in the part.
    range: std::ops::Range<usize>,
    /// `<w:p …>` as written, and its `<w:pPr>` (or nothing).
    start_tag: String,
    properties: String,
    /// The formatting of text without a formatting code.
    base: String,
}

/// An XML part of the package that holds paragraphs.
#[derive(Debug)]
struct Part {
    name: String,
    xml: String,
    paras: Vec<Para>,
}

/// A Word document read as paragraphs.
pub struct DocxDocument {
    bytes: Vec<u8>,
    parts: Vec<Part>,
    paragraphs: Vec<Paragraph>,
    /// For each paragraph: its part and its index there.
    places: Vec<(usize, usize)>,
}

/// The parts that hold text a translator translates, in reading order.
fn text_part(name: &str) -> Option<Role> {
    let file = name.strip_prefix("word/")?;
    if file == "document.xml" {
        Some(Role::Body)
    } else if file == "footnotes.xml" || file == "endnotes.xml" {
        Some(Role::Footnote)
    } else if (file.starts_with("header") || file.starts_with("footer")) && file.ends_with(".xml") {
        Some(Role::Header)
    } else {
        None
    }
}

impl DocxDocument {
    pub fn read(bytes: &[u8]) -> Result<DocxDocument> {
        let bad = |why: String| Error::new(Kind::Input, format!("not a readable Word file: {why}"));
        let mut archive =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
        // The zip reader keeps one of two entries of the same name: the
        // archive's own count of entries says there were more.
        if entries_declared(bytes).is_some_and(|n| n != archive.len()) {
            return Err(bad(
                "two entries of the same name: two files glued together?".to_string(),
            ));
        }
        let mut names: Vec<(String, Role)> = Vec::new();
        for k in 0..archive.len() {
            let file = archive.by_index_raw(k).map_err(|e| bad(e.to_string()))?;
            let name = file.name().map_err(|e| bad(e.to_string()))?.into_owned();
            if let Some(role) = text_part(&name) {
                names.push((name, role));
            }
        }
        if !names.iter().any(|(n, _)| n == "word/document.xml") {
            return Err(bad("it has no word/document.xml".to_string()));
        }
        // Body first, then headers and footers, then notes.
        names.sort_by_key(|(name, role)| {
            let rank = match role {
                Role::Body => 0,
                Role::Header => 1,
                _ => 2,
            };
            (rank, name.clone())
        });
        let mut doc = DocxDocument {
            bytes: bytes.to_vec(),
            parts: Vec::new(),
            paragraphs: Vec::new(),
            places: Vec::new(),
        };
        for (name, role) in names {
            let file = archive.by_name(&name).map_err(|e| bad(e.to_string()))?;
            if file.size() > MAX_PART {
                return Err(bad(format!("{name} is larger than 256 MiB")));
            }
            let mut xml = String::new();
            file.take(MAX_PART)
                .read_to_string(&mut xml)
                .map_err(|e| bad(format!("{name}: {e}")))?;
            // As strict as the imports: a part Word would call unreadable
            // is refused, never written back.
            xml::check_well_formed(xml.as_bytes(), Path::new(&name))
                .map_err(|e| bad(e.to_string()))?;
            let part_index = doc.parts.len();
            let (paras, contents) =
                paragraphs_of(&xml).map_err(|why| bad(format!("{name}: {why}")))?;
            for (k, (content, style, in_cell)) in contents.into_iter().enumerate() {
                if content.text.trim().is_empty() {
                    continue;
                }
                let role = match role {
                    Role::Body if in_cell => Role::Cell,
                    Role::Body => role_of_style(&style),
                    other => other,
                };
                doc.paragraphs.push(Paragraph {
                    content,
                    role,
                    location: format!("{name} paragraph {}", k + 1),
                });
                doc.places.push((part_index, k));
            }
            doc.parts.push(Part { name, xml, paras });
        }
        Ok(doc)
    }
}

/// A paragraph's role from its style name (`Title`, `Heading1`, `Caption`).
fn role_of_style(style: &str) -> Role {
    let style = style.to_ascii_lowercase();
    if style == "title" {
        Role::Title
    } else if style == "heading1" || style == "titre1" {
        Role::Headline
    } else if style.starts_with("heading") || style.starts_with("titre") || style == "subtitle" {
        Role::Subheadline
    } else if style == "caption" || style == "légende" {
        Role::Caption
    } else {
        Role::Body
    }
}

/// An item of a paragraph, in order, before codes are made of it.
#[derive(Debug)]
enum Item {
    /// Text and the formatting of its run.
    Text(String, String),
    /// Something that stands alone, as XML.
    Alone(String, Option<String>),
    /// The start and end tags of an element around runs.
    Start(String, String),
    End(String),
}

/// The top-level paragraphs of a part: their places, and for each its
/// content, style name and whether it is in a table cell.
type Contents = Vec<(Coded, String, bool)>;

fn paragraphs_of(xml: &str) -> std::result::Result<(Vec<Para>, Contents), String> {
    let mut reader = Reader::from_str(xml);
    let mut paras = Vec::new();
    let mut contents = Vec::new();
    let mut depth_in_cell = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match event {
            Event::Start(e) if e.name().as_ref() == "w:tc" => depth_in_cell += 1,
            Event::End(e) if e.name().as_ref() == "w:tc" => {
                depth_in_cell = depth_in_cell.saturating_sub(1)
            }
            Event::Start(e) if e.name().as_ref() == "w:p" => {
                let start_tag_end = reader.buffer_position() as usize;
                reader.read_to_end(e.name()).map_err(|e| e.to_string())?;
                let end = reader.buffer_position() as usize;
                let start_tag = xml[before..start_tag_end].to_string();
                let inner_end = xml[..end].rfind("</w:p>").unwrap_or(end);
                let inner = &xml[start_tag_end..inner_end];
                let (properties, items) = items_of(inner)?;
                let style = style_of(&properties);
                let (coded, base) = coded_of(items);
                paras.push(Para {
                    range: before..end,
                    start_tag,
                    properties,
                    base,
                });
                contents.push((coded, style, depth_in_cell > 0));
            }
            Event::Empty(e) if e.name().as_ref() == "w:p" => {}
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((paras, contents))
}

/// The paragraph style of `w:pPr` (`Heading1`), or "".
fn style_of(properties: &str) -> String {
    properties
        .find("<w:pStyle ")
        .and_then(|at| {
            let rest = &properties[at..];
            let v = rest.find("w:val=\"")? + 7;
            let end = rest[v..].find('"')?;
            Some(rest[v..v + end].to_string())
        })
        .unwrap_or_default()
}

/// How many entries a zip file's end record says it has (`None` for a
/// ZIP64 file, whose count is elsewhere).
fn entries_declared(bytes: &[u8]) -> Option<usize> {
    let at = bytes.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let count = bytes.get(at + 10..at + 12)?;
    let n = u16::from_le_bytes([count[0], count[1]]);
    (n != 0xFFFF).then_some(usize::from(n))
}

/// How deep wrappers (links, insertions, content controls) may nest in a
/// paragraph: real documents nest a few; the imports stop at the same
/// depth.
const MAX_NESTING: usize = 1000;

/// Elements inside a paragraph that are wrappers around runs.
const WRAPPERS: &[&str] = &[
    "w:hyperlink",
    "w:ins",
    "w:moveTo",
    "w:smartTag",
    "w:sdt",
    "w:sdtContent",
    "w:fldSimple",
    "w:customXml",
    "w:dir",
    "w:bdo",
];

/// The paragraph's properties and its items, from the XML inside `<w:p>`.
fn items_of(inner: &str) -> std::result::Result<(String, Vec<Item>), String> {
    let mut reader = Reader::from_str(inner);
    let mut properties = String::new();
    let mut items = Vec::new();
    let mut open: Vec<String> = Vec::new();
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if name == "w:pPr" && items.is_empty() && open.is_empty() {
                    reader.read_to_end(e.name()).map_err(|e| e.to_string())?;
                    properties = inner[before..reader.buffer_position() as usize].to_string();
                } else if name == "w:r" {
                    reader.read_to_end(e.name()).map_err(|e| e.to_string())?;
                    let run = &inner[before..reader.buffer_position() as usize];
                    run_items(run, &mut items)?;
                } else if WRAPPERS.contains(&name.as_str()) {
                    if open.len() >= MAX_NESTING {
                        return Err(format!(
                            "elements nested more than {MAX_NESTING} deep in a paragraph"
                        ));
                    }
                    items.push(Item::Start(inner[before..after].to_string(), name.clone()));
                    open.push(name);
                } else {
                    // Anything else (w:del, w:sdtPr, w:moveFrom…): whole.
                    reader.read_to_end(e.name()).map_err(|e| e.to_string())?;
                    let raw = &inner[before..reader.buffer_position() as usize];
                    items.push(Item::Alone(raw.to_string(), None));
                }
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                if open.last() == Some(&name) {
                    open.pop();
                    items.push(Item::End(inner[before..after].to_string()));
                }
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                // Spelling and grammar marks: Word's own, redone when it
                // opens the file, invisible, and no code.
                if name != "w:pPr" && name != "w:proofErr" {
                    items.push(Item::Alone(inner[before..after].to_string(), None));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((properties, items))
}

/// A run's text and what else it holds, each with the run's formatting.
fn run_items(run: &str, items: &mut Vec<Item>) -> std::result::Result<(), String> {
    let mut reader = Reader::from_str(run);
    let mut formatting = String::new();
    let mut depth = 0usize;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let after = reader.buffer_position() as usize;
        match event {
            Event::Start(e) if depth == 0 && e.name().as_ref() == "w:r" => depth = 1,
            Event::Start(e) if depth == 1 => {
                let name = e.name();
                reader.read_to_end(name).map_err(|e| e.to_string())?;
                let end = reader.buffer_position() as usize;
                match name.as_ref() {
                    "w:rPr" => formatting = run[before..end].to_string(),
                    "w:t" => {
                        let text = text_of(&run[after..end])?;
                        items.push(Item::Text(text, formatting.clone()));
                    }
                    _ => items.push(Item::Alone(
                        format!("<w:r>{formatting}{}</w:r>", &run[before..end]),
                        None,
                    )),
                }
            }
            Event::Empty(e) if depth == 1 => match e.name().as_ref() {
                "w:rPr" => formatting = run[before..after].to_string(),
                // Where Word last broke the page: a hint it redoes.
                "w:t" | "w:lastRenderedPageBreak" => {}
                name => {
                    let ctype = match name {
                        "w:br" | "w:cr" => Some("break".to_string()),
                        "w:tab" => Some("x-docx-tab".to_string()),
                        _ => None,
                    };
                    items.push(Item::Alone(
                        format!("<w:r>{formatting}{}</w:r>", &run[before..after]),
                        ctype,
                    ));
                }
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(())
}

/// The text of a `w:t`'s content (entities decoded).
fn text_of(content: &str) -> std::result::Result<String, String> {
    let inner = content
        .rfind("</w:t>")
        .map_or(content, |end| &content[..end]);
    let mut reader = Reader::from_str(inner);
    let mut text = String::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => text.push_str(&xml::entity_text(&r)?),
            Event::CData(c) => text.push_str(&c.xml10_content()),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(text)
}

/// The code type of a run's formatting.
fn ctype_of_formatting(formatting: &str) -> String {
    let on = |tag: &str| {
        formatting.contains(&format!("<{tag}/>"))
            || (formatting.contains(&format!("<{tag} "))
                && !formatting.contains(&format!("<{tag} w:val=\"0\""))
                && !formatting.contains(&format!("<{tag} w:val=\"false\"")))
    };
    // Character styles say it by name (LibreOffice's Strong Emphasis,
    // Word's Strong and Emphasis).
    let style = style_of(&formatting.replace("<w:rStyle ", "<w:pStyle ")).to_ascii_lowercase();
    if on("w:b") || style.contains("strong") {
        "bold"
    } else if on("w:i") || style == "emphasis" {
        "italic"
    } else if formatting.contains("<w:u ") && !formatting.contains("w:val=\"none\"") {
        "underline"
    } else {
        "x-docx-formatting"
    }
    .to_string()
}

/// What of a run's formatting shows on the page: without the language
/// tag, the proofing switch and the revision ids that Word sprinkles over
/// runs, so that they make no codes (two runs that differ only there are
/// one stretch of text).
fn visible(formatting: &str) -> String {
    let mut out = formatting.to_string();
    for tag in [
        "<w:lang ",
        "<w:lang/",
        "<w:noProof",
        "<w:rtl w:val=\"0\"",
        "<w:cs w:val=\"0\"",
    ] {
        while let Some(at) = out.find(tag) {
            let Some(end) = out[at..].find("/>") else {
                break;
            };
            out.replace_range(at..at + end + 2, "");
        }
    }
    if matches!(out.as_str(), "<w:rPr></w:rPr>" | "<w:rPr/>") {
        out.clear();
    }
    out
}

/// The paragraph as a segment, and its base formatting (that of most of
/// its text).
fn coded_of(items: Vec<Item>) -> (Coded, String) {
    // The formatting most of the text has, as it shows.
    let mut lengths: Vec<(String, &str, usize)> = Vec::new();
    for item in &items {
        if let Item::Text(text, formatting) = item {
            let key = visible(formatting);
            match lengths.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, n)) => *n += text.chars().count(),
                None => lengths.push((key, formatting, text.chars().count())),
            }
        }
    }
    let (base_key, base) = lengths
        .iter()
        .max_by_key(|(_, _, n)| *n)
        .map_or((String::new(), String::new()), |(k, f, _)| {
            (k.clone(), f.to_string())
        });
    let mut coded = Coded::default();
    let mut next = 1;
    // The open formatting code: its visible key, markup and id.
    let mut formatted: Option<(String, String, u32)> = None;
    let mut wrappers: Vec<u32> = Vec::new();
    let close_formatting = |coded: &mut Coded, formatted: &mut Option<(String, String, u32)>| {
        if let Some((_, formatting, id)) = formatted.take() {
            coded.codes.push(Code {
                kind: CodeKind::Close,
                id,
                at: coded.text.len(),
                ctype: Some(ctype_of_formatting(&formatting)),
                markup: formatting,
                isolated: None,
            });
        }
    };
    // Whether the text so far is in the base formatting (no code open).
    let mut in_base = true;
    for item in items {
        match item {
            Item::Text(text, formatting) => {
                let key = visible(&formatting);
                let same = match &formatted {
                    Some((k, _, _)) => *k == key,
                    None => in_base && key == base_key,
                };
                if !same {
                    close_formatting(&mut coded, &mut formatted);
                    in_base = key == base_key;
                    if !in_base {
                        coded.codes.push(Code {
                            kind: CodeKind::Open,
                            id: next,
                            at: coded.text.len(),
                            ctype: Some(ctype_of_formatting(&formatting)),
                            markup: formatting.clone(),
                            isolated: None,
                        });
                        formatted = Some((key, formatting, next));
                        next += 1;
                    }
                }
                coded.text.push_str(&text);
            }
            Item::Alone(xml, ctype) => {
                close_formatting(&mut coded, &mut formatted);
                coded.codes.push(Code {
                    kind: CodeKind::Standalone,
                    id: next,
                    at: coded.text.len(),
                    ctype,
                    markup: xml,
                    isolated: None,
                });
                next += 1;
            }
            Item::Start(tag, name) => {
                close_formatting(&mut coded, &mut formatted);
                let ctype = if name == "w:hyperlink" {
                    "link".to_string()
                } else {
                    format!("x-docx-{}", name.trim_start_matches("w:"))
                };
                coded.codes.push(Code {
                    kind: CodeKind::Open,
                    id: next,
                    at: coded.text.len(),
                    ctype: Some(ctype),
                    markup: tag,
                    isolated: None,
                });
                wrappers.push(next);
                next += 1;
            }
            Item::End(tag) => {
                close_formatting(&mut coded, &mut formatted);
                if let Some(id) = wrappers.pop() {
                    let ctype = coded
                        .codes
                        .iter()
                        .find(|c| c.id == id)
                        .and_then(|c| c.ctype.clone());
                    coded.codes.push(Code {
                        kind: CodeKind::Close,
                        id,
                        at: coded.text.len(),
                        ctype,
                        markup: tag,
                        isolated: None,
                    });
                }
            }
        }
    }
    close_formatting(&mut coded, &mut formatted);
    (coded, base)
}

/// The formatting `formatting` with yellow highlighting.
fn highlighted(formatting: &str, colour: &str) -> String {
    let mark = format!("<w:highlight w:val=\"{colour}\"/>");
    if formatting.is_empty() || formatting == "<w:rPr/>" {
        return format!("<w:rPr>{mark}</w:rPr>");
    }
    if let Some(at) = formatting.find("<w:highlight ") {
        let end = formatting[at..]
            .find("/>")
            .map_or(formatting.len(), |e| at + e + 2);
        return format!("{}{mark}{}", &formatting[..at], &formatting[end..]);
    }
    // The schema's order: highlight comes before these.
    let later = [
        "<w:u ",
        "<w:u/",
        "<w:effect",
        "<w:bdr",
        "<w:shd",
        "<w:fitText",
        "<w:vertAlign",
        "<w:rtl",
        "<w:cs",
        "<w:em ",
        "<w:lang",
        "<w:eastAsianLayout",
        "<w:specVanish",
        "<w:oMath",
        "<w:rPrChange",
    ];
    let at = later
        .iter()
        .filter_map(|t| formatting.find(t))
        .min()
        .or_else(|| formatting.rfind("</w:rPr>"))
        .unwrap_or(formatting.len());
    format!("{}{mark}{}", &formatting[..at], &formatting[at..])
}

/// The paragraph rebuilt with `target`.
fn write_paragraph(para: &Para, target: &Coded) -> String {
    let mut out = String::with_capacity(para.start_tag.len() + 2 * target.text.len() + 256);
    out.push_str(&para.start_tag);
    out.push_str(&para.properties);
    // What the text is in: formatting codes, wrappers, untranslated marks.
    enum Frame {
        Formatting(String),
        Wrapper,
        Untranslated,
        ToCheck,
    }
    let mut frames: Vec<Frame> = Vec::new();
    let run = |out: &mut String, frames: &[Frame], text: &str| {
        if text.is_empty() {
            return;
        }
        let formatting = frames
            .iter()
            .rev()
            .find_map(|f| match f {
                Frame::Formatting(f) => Some(f.as_str()),
                _ => None,
            })
            .unwrap_or(&para.base);
        let untranslated = frames.iter().any(|f| matches!(f, Frame::Untranslated));
        let to_check = frames.iter().any(|f| matches!(f, Frame::ToCheck));
        out.push_str("<w:r>");
        if untranslated {
            out.push_str(&highlighted(formatting, "yellow"));
        } else if to_check {
            out.push_str(&highlighted(formatting, "cyan"));
        } else {
            out.push_str(formatting);
        }
        out.push_str("<w:t xml:space=\"preserve\">");
        out.push_str(&xml::text(text));
        out.push_str("</w:t></w:r>");
    };
    let mut from = 0;
    for code in &target.codes {
        run(&mut out, &frames, &target.text[from..code.at]);
        from = code.at;
        match code.kind {
            CodeKind::Open if code.ctype.as_deref() == Some(UNTRANSLATED) => {
                frames.push(Frame::Untranslated)
            }
            CodeKind::Open if code.ctype.as_deref() == Some(TO_CHECK) => {
                frames.push(Frame::ToCheck)
            }
            CodeKind::Open if code.markup.starts_with("<w:rPr") => {
                frames.push(Frame::Formatting(code.markup.clone()))
            }
            CodeKind::Open => {
                out.push_str(&code.markup);
                frames.push(Frame::Wrapper);
            }
            CodeKind::Close => {
                if let Some(Frame::Wrapper) = frames.pop() {
                    out.push_str(&code.markup);
                }
            }
            CodeKind::Standalone => out.push_str(&code.markup),
        }
    }
    run(&mut out, &frames, &target.text[from..]);
    out.push_str("</w:p>");
    out
}

impl Document for DocxDocument {
    fn format(&self) -> DocFormat {
        DocFormat::Docx
    }

    fn paragraphs(&self) -> &[Paragraph] {
        &self.paragraphs
    }

    fn write(&self, targets: &[Coded], _langs: (&str, &str), out: &mut dyn Write) -> Result<()> {
        document::check_targets(self, targets)?;
        // The new text of each part whose paragraphs changed.
        let mut rewritten: Vec<Option<String>> = vec![None; self.parts.len()];
        let mut changes: Vec<Vec<(usize, String)>> = vec![Vec::new(); self.parts.len()];
        for ((part, k), (paragraph, target)) in
            self.places.iter().zip(self.paragraphs.iter().zip(targets))
        {
            if *target != paragraph.content {
                changes[*part].push((*k, write_paragraph(&self.parts[*part].paras[*k], target)));
            }
        }
        for (p, part) in self.parts.iter().enumerate() {
            if changes[p].is_empty() {
                continue;
            }
            let mut xml = String::with_capacity(part.xml.len() + part.xml.len() / 4);
            let mut from = 0;
            for (k, new) in &changes[p] {
                let range = &part.paras[*k].range;
                xml.push_str(&part.xml[from..range.start]);
                xml.push_str(new);
                from = range.end;
            }
            xml.push_str(&part.xml[from..]);
            rewritten[p] = Some(xml);
        }
        let zip_err = |e: zip::result::ZipError| {
            Error::new(Kind::Io, format!("cannot write the Word file: {e}"))
        };
        let mut archive = zip::ZipArchive::new(Cursor::new(&self.bytes[..])).map_err(zip_err)?;
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(self.bytes.len())));
        for k in 0..archive.len() {
            let file = archive.by_index_raw(k).map_err(zip_err)?;
            let name = file.name().map_err(zip_err)?.into_owned();
            match self
                .parts
                .iter()
                .position(|p| p.name == name)
                .and_then(|p| rewritten[p].as_ref())
            {
                Some(xml) => {
                    drop(file);
                    let options = zip::write::SimpleFileOptions::default()
                        .compression_method(zip::CompressionMethod::Deflated);
                    writer.start_file(name, options).map_err(zip_err)?;
                    writer
                        .write_all(xml.as_bytes())
                        .map_err(|e| Error::io("cannot write", Path::new("<document>"), e))?;
                }
                None => writer.raw_copy_file(file).map_err(zip_err)?,
            }
        }
        let bytes = writer.finish().map_err(zip_err)?.into_inner();
        out.write_all(&bytes)
            .map_err(|e| Error::io("cannot write", Path::new("<document>"), e))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal Word file with `body` as the content of `<w:body>`.
    pub(crate) fn docx(body: &str) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let files = [
            (
                "[Content_Types].xml",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
                 <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
                 <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
                 </Types>"
                    .to_string(),
            ),
            (
                "_rels/.rels",
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
                 <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
                 <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
                 </Relationships>"
                    .to_string(),
            ),
            (
                "word/document.xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
                     <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
                     xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
                     xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\">\
                     <w:body>{body}</w:body></w:document>"
                ),
            ),
        ];
        for (name, content) in files {
            writer.start_file(name, options).unwrap();
            writer.write_all(content.as_bytes()).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    const BODY: &str = "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>\
        <w:r><w:t>Berne reçoit Tokaïev</w:t></w:r></w:p>\
        <w:p w:rsidR=\"00A1\"><w:r><w:t xml:space=\"preserve\">Le </w:t></w:r>\
        <w:r><w:rPr><w:b/></w:rPr><w:t>Conseil fédéral</w:t></w:r>\
        <w:r><w:t xml:space=\"preserve\"> a reçu </w:t></w:r>\
        <w:hyperlink r:id=\"rId5\"><w:r><w:rPr><w:rStyle w:val=\"Hyperlink\"/></w:rPr><w:t>Kassym-Jomart Tokaïev</w:t></w:r></w:hyperlink>\
        <w:r><w:t xml:space=\"preserve\"> mardi.</w:t></w:r><w:r><w:tab/></w:r>\
        <w:bookmarkStart w:id=\"0\" w:name=\"x\"/><w:r><w:t>Il pleut &amp; vente.</w:t></w:r><w:bookmarkEnd w:id=\"0\"/></w:p>\
        <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Commerce</w:t></w:r></w:p></w:tc></w:tr></w:tbl>\
        <w:p><w:r><w:drawing><wp:inline/></w:drawing></w:r></w:p>\
        <w:sectPr/>";

    fn read(body: &str) -> DocxDocument {
        DocxDocument::read(&docx(body)).unwrap()
    }

    fn document_xml(bytes: &[u8]) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        archive
            .by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn paragraphs_runs_links_and_tables() {
        let d = read(BODY);
        let shown: Vec<String> = d.paragraphs().iter().map(|p| p.content.display()).collect();
        assert_eq!(
            shown,
            [
                "Berne reçoit Tokaïev",
                "Le {1}Conseil fédéral{/1} a reçu {2}{3}Kassym-Jomart Tokaïev{/3}{/2} mardi.{4/}{5/}Il pleut & vente.{6/}",
                "Commerce",
            ]
        );
        let roles: Vec<Role> = d.paragraphs().iter().map(|p| p.role).collect();
        assert_eq!(roles, [Role::Headline, Role::Body, Role::Cell]);
        let codes = &d.paragraphs()[1].content.codes;
        assert_eq!(codes[0].ctype.as_deref(), Some("bold"));
        assert_eq!(codes[2].ctype.as_deref(), Some("link"));
        assert_eq!(codes[6].markup, "<w:r><w:tab/></w:r>");
    }

    #[test]
    fn the_identity_gives_back_the_same_file() {
        let bytes = docx(BODY);
        let d = DocxDocument::read(&bytes).unwrap();
        let sources: Vec<Coded> = d.paragraphs().iter().map(|p| p.content.clone()).collect();
        let mut out = Vec::new();
        d.write(&sources, ("fr", "en"), &mut out).unwrap();
        assert_eq!(document_xml(&out), document_xml(&bytes));
    }

    #[test]
    fn a_translation_keeps_formatting_links_and_the_rest_of_the_file() {
        let bytes = docx(BODY);
        let d = DocxDocument::read(&bytes).unwrap();
        let mut targets: Vec<Coded> = d.paragraphs().iter().map(|p| p.content.clone()).collect();
        let codes = targets[1].codes.clone();
        targets[1] = Coded::from_display(
            "The {1}Federal Council{/1} received {2}{3}Kassym-Jomart Tokayev{/3}{/2} on Tuesday.{4/}{5/}It rains & sells.{6/}",
            &codes,
        )
        .unwrap();
        // The table cell left untranslated.
        let mark = |kind, at| Code {
            kind,
            id: 9,
            at,
            ctype: Some(UNTRANSLATED.into()),
            markup: String::new(),
            isolated: None,
        };
        targets[2].codes = vec![mark(CodeKind::Open, 0), mark(CodeKind::Close, 8)];
        let mut out = Vec::new();
        d.write(&targets, ("fr", "en"), &mut out).unwrap();
        let xml = document_xml(&out);
        assert!(
            xml.contains(
                "<w:p w:rsidR=\"00A1\"><w:r><w:t xml:space=\"preserve\">The </w:t></w:r>\
             <w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">Federal Council</w:t></w:r>"
            ),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<w:hyperlink r:id=\"rId5\"><w:r><w:rPr><w:rStyle w:val=\"Hyperlink\"/></w:rPr>\
             <w:t xml:space=\"preserve\">Kassym-Jomart Tokayev</w:t></w:r></w:hyperlink>"
            ),
            "{xml}"
        );
        assert!(
            xml.contains("<w:r><w:tab/></w:r><w:bookmarkStart w:id=\"0\" w:name=\"x\"/>"),
            "{xml}"
        );
        assert!(xml.contains("It rains &amp; sells."), "{xml}");
        assert!(xml.contains(
            "<w:r><w:rPr><w:highlight w:val=\"yellow\"/></w:rPr><w:t xml:space=\"preserve\">Commerce</w:t></w:r>"
        ), "{xml}");
        // The heading and the drawing paragraph are as they were.
        assert!(xml.contains("<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Berne reçoit Tokaïev</w:t></w:r></w:p>"));
        assert!(xml.contains("<w:p><w:r><w:drawing><wp:inline/></w:drawing></w:r></w:p>"));
        // Read again: the translation with its codes.
        let again = DocxDocument::read(&out).unwrap();
        assert_eq!(
            again.paragraphs()[1].content.display(),
            targets[1].display()
        );
    }

    #[test]
    fn highlighting_goes_where_the_schema_wants_it() {
        assert_eq!(
            highlighted("<w:rPr><w:b/><w:lang w:val=\"fr-CH\"/></w:rPr>", "yellow"),
            "<w:rPr><w:b/><w:highlight w:val=\"yellow\"/><w:lang w:val=\"fr-CH\"/></w:rPr>"
        );
        assert_eq!(
            highlighted("<w:rPr><w:highlight w:val=\"green\"/></w:rPr>", "yellow"),
            "<w:rPr><w:highlight w:val=\"yellow\"/></w:rPr>"
        );
    }

    #[test]
    fn a_file_that_is_no_word_file_is_refused() {
        assert!(DocxDocument::read(b"PK\x03\x04 not really").is_err());
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file("content.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        let odt = writer.finish().unwrap().into_inner();
        let err = DocxDocument::read(&odt).err().unwrap().to_string();
        assert!(err.contains("no word/document.xml"), "{err}");
    }

    #[test]
    fn proofing_marks_and_language_tags_make_no_codes() {
        // Regression (new-user test, issue 12): Word's spelling marks and a
        // run's language tag were codes: a sentence the memory holds came
        // out 98 % with a warning.
        let doc = read(
            "<w:p><w:r><w:t xml:space=\"preserve\">Il </w:t></w:r><w:proofErr w:type=\"spellStart\"/>\
             <w:r><w:rPr><w:lang w:val=\"fr-CH\"/></w:rPr><w:t>pleut</w:t></w:r>\
             <w:proofErr w:type=\"spellEnd\"/><w:r><w:rPr><w:noProof/></w:rPr><w:lastRenderedPageBreak/>\
             <w:t xml:space=\"preserve\"> sur Berne.</w:t></w:r></w:p>",
        );
        let content = &doc.paragraphs()[0].content;
        assert_eq!(content.text, "Il pleut sur Berne.");
        assert!(content.codes.is_empty(), "{:?}", content.codes);
    }

    #[test]
    fn a_tracked_move_is_translated_like_an_insertion() {
        // Regression (adversarial test, issue 12): text inside w:moveTo was
        // skipped, silently left in French.
        let doc = read(
            "<w:p><w:moveTo w:id=\"1\" w:author=\"A\"><w:r><w:t>Il pleut.</w:t></w:r></w:moveTo></w:p>",
        );
        assert_eq!(doc.paragraphs()[0].content.text, "Il pleut.");
    }

    #[test]
    fn malformed_glued_and_too_deep_parts_are_refused() {
        // Regression (adversarial test, issue 12): a document.xml with an
        // unquoted attribute was read and written back malformed.
        let err = |bytes: Vec<u8>| {
            DocxDocument::read(&bytes)
                .err()
                .expect("refused")
                .to_string()
        };
        let unquoted = err(docx(
            "<w:p><w:pPr><w:jc w:val=left/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>",
        ));
        assert!(unquoted.contains("word/document.xml:1"), "{unquoted}");
        let deep = format!(
            "<w:p>{}<w:r><w:t>x</w:t></w:r>{}</w:p>",
            "<w:hyperlink>".repeat(1001),
            "</w:hyperlink>".repeat(1001)
        );
        assert!(err(docx(&deep)).contains("nested more than 1000 deep"));
        // Two entries of the same name: the last one won, silently. (The
        // zip writer refuses to make one: a second entry is renamed in the
        // bytes.)
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        let mut archive = zip::ZipArchive::new(Cursor::new(docx("<w:p/>"))).unwrap();
        for k in 0..archive.len() {
            writer
                .raw_copy_file(archive.by_index_raw(k).unwrap())
                .unwrap();
        }
        writer.start_file("word/documenX.xml", options).unwrap();
        writer.write_all(b"<x/>").unwrap();
        let mut glued = writer.finish().unwrap().into_inner();
        let from = b"word/documenX.xml";
        let mut k = 0;
        while let Some(at) = glued[k..].windows(from.len()).position(|w| w == from) {
            glued[k + at + 12] = b't';
            k += at + 1;
        }
        let message = err(glued);
        assert!(
            message.contains("two entries of the same name"),
            "{message}"
        );
    }
}
