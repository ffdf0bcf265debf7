//! Plain-text articles as documents: one paragraph per line.
//!
//! The text is decoded as [`super::encoding::decode_text`] reads articles
//! (UTF-8, UTF-16 with a byte-order mark, Windows-1252); the translation is
//! written in UTF-8 with the same line breaks, blank lines kept. A stretch
//! left untranslated stays in the source language between `[[ ]]`.

use std::io::Write;
use std::path::Path;

use crate::document::{self, DocFormat, Document, Paragraph, Role, UNTRANSLATED};
use crate::error::{Error, Result};
use crate::text::{CodeKind, Coded};

use super::encoding::{TextEncoding, decode_text};

/// A text read line by line.
pub struct TextDocument {
    paragraphs: Vec<Paragraph>,
    /// Each line of the file: the paragraph it holds (none for a blank
    /// line) and its line break as read.
    lines: Vec<(Option<usize>, String, &'static str)>,
    bom: bool,
    encoding: TextEncoding,
}

impl TextDocument {
    pub fn read(bytes: &[u8]) -> Result<TextDocument> {
        let (text, encoding) = decode_text(bytes, Path::new("<text>"))?;
        let bom = bytes.starts_with(b"\xEF\xBB\xBF");
        let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut paragraphs = Vec::new();
        let mut lines = Vec::new();
        let mut rest = body;
        let mut number = 0;
        while !rest.is_empty() {
            number += 1;
            let (line, eol, next) = match rest.find('\n') {
                Some(i) if rest[..i].ends_with('\r') => (&rest[..i - 1], "\r\n", &rest[i + 1..]),
                Some(i) => (&rest[..i], "\n", &rest[i + 1..]),
                None => (rest, "", ""),
            };
            rest = next;
            if line.trim().is_empty() {
                lines.push((None, line.to_string(), eol));
                continue;
            }
            lines.push((Some(paragraphs.len()), String::new(), eol));
            paragraphs.push(Paragraph {
                content: Coded::plain(line),
                role: Role::Body,
                location: format!("line {number}"),
            });
        }
        Ok(TextDocument {
            paragraphs,
            lines,
            bom,
            encoding,
        })
    }
}

impl Document for TextDocument {
    fn format(&self) -> DocFormat {
        DocFormat::Text
    }

    fn paragraphs(&self) -> &[Paragraph] {
        &self.paragraphs
    }

    fn encoding(&self) -> Option<&str> {
        (self.encoding != TextEncoding::Utf8).then(|| self.encoding.name())
    }

    fn write(&self, targets: &[Coded], _langs: (&str, &str), out: &mut dyn Write) -> Result<()> {
        document::check_targets(self, targets)?;
        let io = |e| Error::io("cannot write", Path::new("<document>"), e);
        if self.bom {
            out.write_all("\u{feff}".as_bytes()).map_err(io)?;
        }
        for (paragraph, blank, eol) in &self.lines {
            let line = match paragraph {
                Some(k) => one_line(&plain_text(&targets[*k])),
                None => blank.clone(),
            };
            out.write_all(line.as_bytes()).map_err(io)?;
            out.write_all(eol.as_bytes()).map_err(io)?;
        }
        Ok(())
    }
}

/// A paragraph kept on its line: a line break inside a translation (a
/// memory target of two lines) becomes a space.
pub fn one_line(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

/// A translation as plain text: untranslated stretches between `[[ ]]`,
/// other codes shown as `{1}…{/1}`.
pub fn plain_text(target: &Coded) -> String {
    let mut out = String::with_capacity(target.text.len() + 8);
    let mut from = 0;
    for code in &target.codes {
        out.push_str(&target.text[from..code.at]);
        from = code.at;
        if code.ctype.as_deref() == Some(document::TO_CHECK) {
            continue;
        }
        let untranslated = code.ctype.as_deref() == Some(UNTRANSLATED);
        out.push_str(&match (code.kind, untranslated) {
            (CodeKind::Open, true) => "[[".to_string(),
            (CodeKind::Close, true) => "]]".to_string(),
            (CodeKind::Open, false) => format!("{{{}}}", code.id),
            (CodeKind::Close, false) => format!("{{/{}}}", code.id),
            (CodeKind::Standalone, _) => format!("{{{}/}}", code.id),
        });
    }
    out.push_str(&target.text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_blank_lines_and_line_breaks_come_back_unchanged() {
        let text = "Titre\r\n\r\nPremier paragraphe. Deux.\n  \nFin sans saut";
        let doc = TextDocument::read(text.as_bytes()).unwrap();
        let locations: Vec<&str> = doc
            .paragraphs()
            .iter()
            .map(|p| p.location.as_str())
            .collect();
        assert_eq!(locations, ["line 1", "line 3", "line 5"]);
        let sources: Vec<Coded> = doc.paragraphs().iter().map(|p| p.content.clone()).collect();
        let mut out = Vec::new();
        doc.write(&sources, ("fr", "en"), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }

    #[test]
    fn untranslated_stretches_are_bracketed() {
        let doc = TextDocument::read("Un. Deux.\n".as_bytes()).unwrap();
        let codes = [
            crate::text::Code {
                kind: CodeKind::Open,
                id: 1,
                at: 0,
                ctype: Some(UNTRANSLATED.into()),
                markup: String::new(),
                isolated: None,
            },
            crate::text::Code {
                kind: CodeKind::Close,
                id: 1,
                at: 0,
                ctype: Some(UNTRANSLATED.into()),
                markup: String::new(),
                isolated: None,
            },
        ];
        let target = Coded::from_display("One. {1}Deux.{/1}", &codes).unwrap();
        let mut out = Vec::new();
        doc.write(&[target], ("fr", "en"), &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "One. [[Deux.]]\n");
    }
}
