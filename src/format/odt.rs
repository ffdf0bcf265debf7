//! OpenDocument text (.odt) articles: the paragraphs and headings of
//! `content.xml` (lists and table cells included), written back as the
//! same file with the translation in place.
//!
//! A paragraph (`text:p`, `text:h`) becomes one segment: spans
//! (`text:span`, a character style), links (`text:a`) and other inline
//! elements with text are paired codes keeping their element; spaces
//! (`text:s`), tabs, line breaks, bookmarks, frames and notes are
//! standalone codes keeping their XML (a note's text travels with its
//! mark, untranslated). Every other zip entry is copied byte for byte; an
//! untranslated stretch is a span with a yellow background, a style
//! memoire adds to the automatic styles.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::document::{self, DocFormat, Document, Paragraph, Role, UNTRANSLATED};
use crate::error::{Error, Kind, Result};
use crate::format::{markup, xml};
use crate::text::Coded;

/// The style memoire gives untranslated text.
const MARK_STYLE: &str = "memoire-untranslated";

/// Inline elements that hold text and wrap it (paired codes).
const WRAPPERS: &[&str] = &["text:span", "text:a", "text:ruby-base", "text:meta"];

/// An OpenDocument text read as paragraphs.
pub struct OdtDocument {
    bytes: Vec<u8>,
    xml: String,
    /// For each paragraph: its range in `content.xml`, its start and end
    /// tags.
    paras: Vec<(std::ops::Range<usize>, String, String)>,
    paragraphs: Vec<Paragraph>,
}

impl OdtDocument {
    pub fn read(bytes: &[u8]) -> Result<OdtDocument> {
        let bad = |why: String| {
            Error::new(
                Kind::Input,
                format!("not a readable OpenDocument file: {why}"),
            )
        };
        let mut archive =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
        let mut xml = String::new();
        {
            let file = archive
                .by_name("content.xml")
                .map_err(|_| bad("it has no content.xml".to_string()))?;
            file.take(256 << 20)
                .read_to_string(&mut xml)
                .map_err(|e| bad(format!("content.xml: {e}")))?;
        }
        super::xml::check_well_formed(xml.as_bytes(), Path::new("content.xml"))
            .map_err(|e| bad(e.to_string()))?;
        let mut reader = Reader::from_str(&xml);
        let mut paras = Vec::new();
        let mut paragraphs = Vec::new();
        let mut in_cell = 0usize;
        let mut in_body = false;
        loop {
            let before = reader.buffer_position() as usize;
            let event = reader
                .read_event()
                .map_err(|e| bad(format!("content.xml: {e}")))?;
            match event {
                Event::Start(e) if e.name().as_ref() == "office:text" => in_body = true,
                Event::Start(e) if e.name().as_ref() == "table:table-cell" => in_cell += 1,
                Event::End(e) if e.name().as_ref() == "table:table-cell" => {
                    in_cell = in_cell.saturating_sub(1)
                }
                Event::Start(e) if in_body && matches!(e.name().as_ref(), "text:p" | "text:h") => {
                    let heading = e.name().as_ref() == "text:h";
                    let level = xml::attribute(&e, "outline-level").unwrap_or_default();
                    let tag_end = reader.buffer_position() as usize;
                    reader
                        .read_to_end(e.name())
                        .map_err(|e| bad(format!("content.xml: {e}")))?;
                    let end = reader.buffer_position() as usize;
                    let inner_end = xml[..end].rfind("</").unwrap_or(end);
                    let coded = coded_of(&xml[tag_end..inner_end])
                        .map_err(|why| bad(format!("content.xml: {why}")))?;
                    if coded.text.trim().is_empty() {
                        continue;
                    }
                    let end_tag = xml[inner_end..end].to_string();
                    let k = paras.len();
                    paras.push((before..end, xml[before..tag_end].to_string(), end_tag));
                    let role = match (heading, level.as_str(), in_cell > 0) {
                        (true, "1", _) => Role::Headline,
                        (true, _, _) => Role::Subheadline,
                        (false, _, true) => Role::Cell,
                        _ => Role::Body,
                    };
                    paragraphs.push(Paragraph {
                        content: coded,
                        role,
                        location: format!("content.xml paragraph {}", k + 1),
                    });
                }
                Event::Eof => break,
                _ => {}
            }
        }
        Ok(OdtDocument {
            bytes: bytes.to_vec(),
            xml,
            paras,
            paragraphs,
        })
    }
}

/// A paragraph's content (the XML inside `text:p`) as a segment.
fn coded_of(inner: &str) -> std::result::Result<Coded, String> {
    markup::coded_of(
        inner,
        &|name| {
            WRAPPERS.contains(&name).then(|| {
                if name == "text:a" {
                    "link"
                } else {
                    "x-odt-span"
                }
                .to_string()
            })
        },
        &|name| {
            match name {
                "text:line-break" => Some("break"),
                "text:tab" => Some("x-odt-tab"),
                "text:s" => Some("x-odt-space"),
                _ => None,
            }
            .map(str::to_string)
        },
    )
}

/// `content.xml` with the style of untranslated text declared.
fn with_mark_style(xml: &str) -> String {
    let style = format!(
        "<style:style style:name=\"{MARK_STYLE}\" style:family=\"text\">\
         <style:text-properties fo:background-color=\"#ffff00\"/></style:style>"
    );
    if let Some(at) = xml.find("</office:automatic-styles>") {
        format!("{}{style}{}", &xml[..at], &xml[at..])
    } else if let Some(at) = xml.find("<office:automatic-styles/>") {
        let end = at + "<office:automatic-styles/>".len();
        format!(
            "{}<office:automatic-styles>{style}</office:automatic-styles>{}",
            &xml[..at],
            &xml[end..]
        )
    } else if let Some(at) = xml.find("<office:body") {
        format!(
            "{}<office:automatic-styles>{style}</office:automatic-styles>{}",
            &xml[..at],
            &xml[at..]
        )
    } else {
        xml.to_string()
    }
}

impl Document for OdtDocument {
    fn format(&self) -> DocFormat {
        DocFormat::Odt
    }

    fn paragraphs(&self) -> &[Paragraph] {
        &self.paragraphs
    }

    fn write(&self, targets: &[Coded], _langs: (&str, &str), out: &mut dyn Write) -> Result<()> {
        document::check_targets(self, targets)?;
        let changed = self
            .paragraphs
            .iter()
            .zip(targets)
            .any(|(p, t)| p.content != *t);
        let zip_err = |e: zip::result::ZipError| {
            Error::new(Kind::Io, format!("cannot write the OpenDocument file: {e}"))
        };
        let content = changed.then(|| {
            let mut xml = String::with_capacity(self.xml.len() + self.xml.len() / 4);
            let mut from = 0;
            for ((range, start, end), (paragraph, target)) in
                self.paras.iter().zip(self.paragraphs.iter().zip(targets))
            {
                if paragraph.content == *target {
                    continue;
                }
                xml.push_str(&self.xml[from..range.start]);
                let mark = format!("<text:span text:style-name=\"{MARK_STYLE}\">");
                xml.push_str(&markup::write_element(
                    start,
                    end,
                    target,
                    (&mark, "</text:span>"),
                ));
                from = range.end;
            }
            xml.push_str(&self.xml[from..]);
            let marked = targets.iter().any(|t| {
                t.codes
                    .iter()
                    .any(|c| c.ctype.as_deref() == Some(UNTRANSLATED))
            });
            if marked { with_mark_style(&xml) } else { xml }
        });
        let mut archive = zip::ZipArchive::new(Cursor::new(&self.bytes[..])).map_err(zip_err)?;
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(self.bytes.len())));
        for k in 0..archive.len() {
            let file = archive.by_index_raw(k).map_err(zip_err)?;
            let name = file.name().map_err(zip_err)?.into_owned();
            match (&content, name.as_str()) {
                (Some(xml), "content.xml") => {
                    drop(file);
                    let options = zip::write::SimpleFileOptions::default()
                        .compression_method(zip::CompressionMethod::Deflated);
                    writer.start_file(name, options).map_err(zip_err)?;
                    writer
                        .write_all(xml.as_bytes())
                        .map_err(|e| Error::io("cannot write", Path::new("<document>"), e))?;
                }
                // The mimetype entry stays first and stored, as ODF wants.
                _ => writer.raw_copy_file(file).map_err(zip_err)?,
            }
        }
        let bytes = writer.finish().map_err(zip_err)?.into_inner();
        out.write_all(&bytes)
            .map_err(|e| Error::io("cannot write", Path::new("<document>"), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Code, CodeKind};

    fn odt(body: &str) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        writer.start_file("mimetype", stored).unwrap();
        writer
            .write_all(b"application/vnd.oasis.opendocument.text")
            .unwrap();
        writer
            .start_file("content.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        let content = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
             xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" \
             xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\" \
             xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\" \
             xmlns:xlink=\"http://www.w3.org/1999/xlink\" office:version=\"1.3\">\
             <office:automatic-styles/><office:body><office:text>{body}</office:text></office:body>\
             </office:document-content>"
        );
        writer.write_all(content.as_bytes()).unwrap();
        writer.finish().unwrap().into_inner()
    }

    const BODY: &str = "<text:h text:outline-level=\"1\">Berne reçoit Tokaïev</text:h>\
        <text:p text:style-name=\"P1\">Le <text:span text:style-name=\"T1\">Conseil fédéral</text:span> \
        a reçu <text:a xlink:href=\"https://example.org\">Kassym-Jomart Tokaïev</text:a>.<text:line-break/>Il pleut.</text:p>\
        <text:p/>";

    fn content(bytes: &[u8]) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        archive
            .by_name("content.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    }

    #[test]
    fn paragraphs_spans_and_links() {
        let d = OdtDocument::read(&odt(BODY)).unwrap();
        let shown: Vec<String> = d.paragraphs().iter().map(|p| p.content.display()).collect();
        assert_eq!(
            shown,
            [
                "Berne reçoit Tokaïev",
                "Le {1}Conseil fédéral{/1} a reçu {2}Kassym-Jomart Tokaïev{/2}.{3/}Il pleut."
            ]
        );
        assert_eq!(d.paragraphs()[0].role, Role::Headline);
    }

    #[test]
    fn the_identity_gives_back_the_same_content_and_a_translation_only_the_text() {
        let bytes = odt(BODY);
        let d = OdtDocument::read(&bytes).unwrap();
        let sources: Vec<Coded> = d.paragraphs().iter().map(|p| p.content.clone()).collect();
        let mut out = Vec::new();
        d.write(&sources, ("fr", "en"), &mut out).unwrap();
        assert_eq!(content(&out), content(&bytes));
        let mut targets = sources.clone();
        targets[1] = Coded::from_display(
            "The {1}Federal Council{/1} received {2}Kassym-Jomart Tokayev{/2}.{3/}It is raining.",
            &sources[1].codes,
        )
        .unwrap();
        let mark = |kind, at| Code {
            kind,
            id: 5,
            at,
            ctype: Some(UNTRANSLATED.into()),
            markup: String::new(),
            isolated: None,
        };
        targets[0].codes = vec![
            mark(CodeKind::Open, 0),
            mark(CodeKind::Close, targets[0].text.len()),
        ];
        let mut out = Vec::new();
        d.write(&targets, ("fr", "en"), &mut out).unwrap();
        let xml = content(&out);
        assert!(xml.contains(
            "<text:p text:style-name=\"P1\">The <text:span text:style-name=\"T1\">Federal Council</text:span> \
             received <text:a xlink:href=\"https://example.org\">Kassym-Jomart Tokayev</text:a>.<text:line-break/>It is raining.</text:p>"
        ), "{xml}");
        assert!(xml.contains(
            "<text:span text:style-name=\"memoire-untranslated\">Berne reçoit Tokaïev</text:span>"
        ));
        assert!(xml.contains("<style:style style:name=\"memoire-untranslated\""));
        assert!(xml.contains("<text:p/>"));
    }
}
