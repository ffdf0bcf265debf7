//! A document as every document reader gives it and every writer takes it
//! back: the paragraphs to translate — segments with inline codes, each with
//! its role (headline, dateline, body, caption…) — and, inside the reader's
//! own type, everything else (the skeleton: styles, layout, markup between
//! paragraphs), which the writer puts back untouched.
//!
//! Readers and writers live in [`crate::format`] (`text`, `docx`, `odt`,
//! `html`, `news`); [`read`] picks one by the file's extension or the
//! format asked for.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Kind, Result};
use crate::text::Coded;

/// The type of the synthetic code pair that marks a stretch of a
/// paragraph's translation still in the source language: writers show it
/// (highlighted in Word, `lang` in HTML, `[[ ]]` in text) instead of
/// writing it as markup.
pub const UNTRANSLATED: &str = "x-memoire-untranslated";

/// The code type of the pair of codes around a translation that a
/// reviewer must check: a fuzzy fill, or one with warnings (a glossary
/// term, numbers, codes). Word and HTML writers mark it (a blue
/// highlight, `<mark class="memoire-check">`); other writers leave it
/// unmarked.
pub const TO_CHECK: &str = "x-memoire-check";

/// Whether a paragraph's translation holds any translated text: some
/// text outside the [`UNTRANSLATED`] marks.
pub fn has_translation(target: &Coded) -> bool {
    let mut depth = 0usize;
    let mut from = 0;
    for code in &target.codes {
        if depth == 0 && !target.text[from..code.at].trim().is_empty() {
            return true;
        }
        from = code.at;
        if code.ctype.as_deref() == Some(UNTRANSLATED) {
            match code.kind {
                crate::text::CodeKind::Open => depth += 1,
                crate::text::CodeKind::Close => depth = depth.saturating_sub(1),
                crate::text::CodeKind::Standalone => {}
            }
        }
    }
    depth == 0 && !target.text[from..].trim().is_empty()
}

/// What a paragraph is in its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Title,
    Headline,
    Subheadline,
    Dateline,
    Byline,
    Body,
    Caption,
    /// A table cell.
    Cell,
    Footnote,
    /// A page header or footer.
    Header,
    /// Text of an attribute (`alt`, `title`).
    Attribute,
}

/// One paragraph to translate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    pub content: Coded,
    pub role: Role,
    /// Where it is, for messages and drafts: `line 3`, `word/document.xml
    /// paragraph 12`, `<p> at line 40`.
    pub location: String,
}

/// The document formats memoire reads and writes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocFormat {
    /// Plain text, one paragraph per line.
    Text,
    Docx,
    Odt,
    Html,
    /// NITF or NewsML-G2.
    News,
}

impl DocFormat {
    pub fn name(self) -> &'static str {
        match self {
            DocFormat::Text => "text",
            DocFormat::Docx => "docx",
            DocFormat::Odt => "odt",
            DocFormat::Html => "html",
            DocFormat::News => "news",
        }
    }

    /// The format a file name's extension says, if any.
    pub fn of_path(path: &Path) -> Option<DocFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => DocFormat::Text,
            "docx" => DocFormat::Docx,
            "odt" => DocFormat::Odt,
            "html" | "htm" | "xhtml" => DocFormat::Html,
            "xml" | "nitf" | "newsml" => DocFormat::News,
            _ => return None,
        })
    }

    /// The usual extension of a written document.
    /// The media type of a file of this format.
    pub fn media_type(self) -> &'static str {
        match self {
            DocFormat::Text => "text/plain; charset=utf-8",
            DocFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            DocFormat::Odt => "application/vnd.oasis.opendocument.text",
            DocFormat::Html => "text/html; charset=utf-8",
            DocFormat::News => "application/xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            DocFormat::Text => "txt",
            DocFormat::Docx => "docx",
            DocFormat::Odt => "odt",
            DocFormat::Html => "html",
            DocFormat::News => "xml",
        }
    }
}

/// A document read by one of the readers.
pub trait Document {
    fn format(&self) -> DocFormat;

    /// The paragraphs to translate, in document order.
    fn paragraphs(&self) -> &[Paragraph];

    /// How the file was decoded (`UTF-8`, `Windows-1252`…), when that is
    /// worth telling.
    fn encoding(&self) -> Option<&str> {
        None
    }

    /// Write the document with `targets[k]` (codes from paragraph k's own)
    /// in place of paragraph k, its language (source, target) changed to
    /// the target's where the format records one. Stretches wrapped in an
    /// [`UNTRANSLATED`] pair are shown as such, in the source language.
    fn write(&self, targets: &[Coded], langs: (&str, &str), out: &mut dyn Write) -> Result<()>;
}

/// Check that `targets` fit `doc` before a writer uses them.
pub fn check_targets(doc: &dyn Document, targets: &[Coded]) -> Result<()> {
    if targets.len() != doc.paragraphs().len() {
        return Err(Error::new(
            Kind::Internal,
            format!(
                "{} translations for {} paragraphs",
                targets.len(),
                doc.paragraphs().len()
            ),
        ));
    }
    for (k, target) in targets.iter().enumerate() {
        target.check().map_err(|why| {
            Error::new(
                Kind::Internal,
                format!("translation of paragraph {}: {why}", k + 1),
            )
        })?;
    }
    Ok(())
}

/// Read the document at `path` as `format` (by default, the one its
/// extension says; plain text otherwise).
pub fn read(path: &Path, format: Option<DocFormat>) -> Result<Box<dyn Document>> {
    let format = format
        .or_else(|| DocFormat::of_path(path))
        .unwrap_or(DocFormat::Text);
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    read_bytes(&bytes, format).map_err(|e| e.at(path))
}

/// Read a document held in memory.
pub fn read_bytes(bytes: &[u8], format: DocFormat) -> Result<Box<dyn Document>> {
    Ok(match format {
        DocFormat::Text => Box::new(crate::format::text::TextDocument::read(bytes)?),
        DocFormat::Html => Box::new(crate::format::html::HtmlDocument::read(bytes)?),
        DocFormat::Docx => Box::new(crate::format::docx::DocxDocument::read(bytes)?),
        DocFormat::Odt => Box::new(crate::format::odt::OdtDocument::read(bytes)?),
        DocFormat::News => Box::new(crate::format::news::NewsDocument::read(bytes)?),
    })
}
