//! What the TMX and TBX readers share: opening an XML file in any encoding
//! as a UTF-8 stream, line numbers for byte positions, text with entities
//! and CDATA decoded, and attributes by local name.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use encoding_rs_io::DecodeReaderBytesBuilder;
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart};

use super::encoding::TextEncoding;
use crate::error::{Error, Kind, Result};

/// Offsets of the line feeds that went into the parser and have not been
/// passed yet, to turn a parser position into a line number with bounded
/// memory.
#[derive(Debug, Default)]
pub struct Lines {
    pending: VecDeque<u64>,
    passed: u64,
}

impl Lines {
    /// The 1-based line of byte `position` (positions must not go back).
    pub fn line_at(&mut self, position: u64) -> u64 {
        while self.pending.front().is_some_and(|&nl| nl < position) {
            self.pending.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// A reader that records where the line feeds are.
pub struct LineCounter<R> {
    inner: R,
    lines: Rc<RefCell<Lines>>,
    at: u64,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut lines = self.lines.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' {
                lines.pending.push_back(self.at + i as u64);
            }
        }
        self.at += n as u64;
        Ok(n)
    }
}

/// An XML file opened for streaming.
pub struct XmlFile {
    pub reader: Reader<BufReader<LineCounter<Box<dyn Read>>>>,
    pub lines: Rc<RefCell<Lines>>,
    pub encoding: TextEncoding,
}

/// Open `path` as XML: UTF-16 (with a byte-order mark, or recognised by
/// its zero bytes, as Trados writes it), a declared `ISO-8859-1` or
/// `windows-1252`, else UTF-8; always parsed as UTF-8.
pub fn open(path: &Path) -> Result<XmlFile> {
    let mut file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    let mut head = [0u8; 512];
    let n = read_up_to(&mut file, &mut head).map_err(|e| Error::io("cannot read", path, e))?;
    let head = &head[..n];
    let encoding = if head.starts_with(b"\xFF\xFE")
        || (head.len() > 1 && head[0] == b'<' && head[1] == 0)
    {
        TextEncoding::Utf16Le
    } else if head.starts_with(b"\xFE\xFF") || (head.len() > 1 && head[0] == 0 && head[1] == b'<') {
        TextEncoding::Utf16Be
    } else {
        let declaration =
            String::from_utf8_lossy(&head[..head.iter().position(|&b| b == b'>').unwrap_or(0)])
                .to_ascii_lowercase();
        if ["iso-8859-1", "windows-1252", "latin1", "iso-8859-15"]
            .iter()
            .any(|e| declaration.contains(e))
        {
            TextEncoding::Windows1252
        } else {
            TextEncoding::Utf8
        }
    };
    if encoding == TextEncoding::Utf8
        && let Some(line) = first_invalid_utf8(path)?
    {
        return Err(Error::new(
            Kind::Encoding,
            "not UTF-8 text, and no other encoding is declared: add encoding=\"ISO-8859-1\" \
             (or the right one) to the <?xml?> declaration",
        )
        .at_line(path, line));
    }
    let file = File::open(path).map_err(|e| Error::io("cannot open", path, e))?;
    let label = match encoding {
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
        TextEncoding::Utf8 => encoding_rs::UTF_8,
    };
    let decoded: Box<dyn Read> = Box::new(
        DecodeReaderBytesBuilder::new()
            .encoding(Some(label))
            .strip_bom(true)
            .build(file),
    );
    let lines = Rc::new(RefCell::new(Lines::default()));
    let counter = LineCounter {
        inner: decoded,
        lines: Rc::clone(&lines),
        at: 0,
    };
    let mut reader = Reader::from_reader(BufReader::with_capacity(1 << 16, counter));
    reader.config_mut().check_end_names = true;
    Ok(XmlFile {
        reader,
        lines,
        encoding,
    })
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

impl XmlFile {
    /// The line the parser has reached.
    pub fn line(&self) -> u64 {
        self.lines
            .borrow_mut()
            .line_at(self.reader.buffer_position())
    }

    /// A fatal error where the parser failed: the XML cannot be read on.
    pub fn malformed(&self, path: &Path, cause: impl std::fmt::Display) -> Error {
        let line = self
            .lines
            .borrow_mut()
            .line_at(self.reader.error_position());
        Error::new(
            Kind::Input,
            format!("malformed XML ({cause}); nothing was imported — fix the file and try again"),
        )
        .at_line(path, line)
    }
}

/// The text an entity reference stands for: a character reference, one of
/// the five predefined entities, or `&nbsp;` (which HTML habits put in
/// TMX files); any other entity is undefined here, and an error.
pub fn entity_text(entity: &BytesRef<'_>) -> std::result::Result<String, String> {
    if let Ok(Some(c)) = entity.resolve_char_ref() {
        return Ok(c.to_string());
    }
    match quick_xml::escape::resolve_predefined_entity(entity) {
        Some(text) => Ok(text.to_string()),
        None if &**entity == "nbsp" => Ok("\u{a0}".to_string()),
        None => Err(format!("undefined entity &{};", &**entity)),
    }
}

/// The 1-based line of the first byte that is not UTF-8 in `path`, if any.
fn first_invalid_utf8(path: &Path) -> Result<Option<u64>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
    Ok(std::str::from_utf8(&bytes).err().map(|e| {
        1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64
    }))
}

/// An attribute's value by local name (`lang` finds `xml:lang` and `lang`),
/// entities decoded.
pub fn attribute(element: &BytesStart<'_>, local: &str) -> Option<String> {
    element.attributes().flatten().find_map(|a| {
        let key: &str = a.key.as_ref();
        let name = key.rsplit(':').next().unwrap_or(key);
        (name == local).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| a.value.to_string())
        })
    })
}

/// The local name of an element (`tuv`, `langSet`…).
pub fn local_name(element: &BytesStart<'_>) -> String {
    let name = element.local_name();
    let name: &str = name.as_ref();
    name.to_string()
}

/// A language tag from a file compared with the wanted one: 2 for the
/// same tag (`fr-CH` for `fr-ch`), 1 for the same language (`fr-FR`, `FR`
/// for `fr`), 0 otherwise.
pub fn language_fit(found: &str, wanted: &str) -> u8 {
    let found = found.trim().replace('_', "-").to_ascii_lowercase();
    if found == wanted {
        2
    } else if crate::text::primary_language(&found) == crate::text::primary_language(wanted) {
        1
    } else {
        0
    }
}

/// `20261124T101500Z` (TMX) → `2026-11-24T10:15:00Z`; `None` if malformed.
pub fn tmx_date_to_iso(date: &str) -> Option<String> {
    let d = date.trim();
    let ok = d.len() == 16
        && d.as_bytes()[8] == b'T'
        && d.ends_with('Z')
        && d[..8]
            .bytes()
            .chain(d[9..15].bytes())
            .all(|b| b.is_ascii_digit());
    ok.then(|| {
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            &d[9..11],
            &d[11..13],
            &d[13..15]
        )
    })
}

/// `2026-11-24T10:15:00Z` → `20261124T101500Z`.
pub fn iso_to_tmx_date(iso: &str) -> String {
    iso.chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T' || *c == 'Z')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tmx_dates_convert_both_ways() {
        assert_eq!(
            tmx_date_to_iso("20261124T101500Z").as_deref(),
            Some("2026-11-24T10:15:00Z")
        );
        assert_eq!(tmx_date_to_iso("2026-11-24"), None);
        assert_eq!(iso_to_tmx_date("2026-11-24T10:15:00Z"), "20261124T101500Z");
    }

    #[test]
    fn languages_fit_by_tag_then_language() {
        assert_eq!(language_fit("fr-CH", "fr-ch"), 2);
        assert_eq!(language_fit("FR", "fr"), 2);
        assert_eq!(language_fit("fr-FR", "fr"), 1);
        assert_eq!(language_fit("fr_CA", "fr"), 1);
        assert_eq!(language_fit("en-US", "fr"), 0);
    }
}
