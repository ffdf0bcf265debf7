//! The bilingual review table as a Word file (`--format review-docx`), as
//! Trados and memoQ export them: one row per sentence — number, source,
//! target, score, status, comment — that a reviewer edits in Word, and
//! that `memoire import` learns back from (the rows whose status says
//! confirmed, each with the sentences around it as its context).
//!
//! The file is a minimal WordprocessingML package written by memoire: a
//! title paragraph naming the article and the languages (`memoire review:
//! article.docx (fr → en)`), a line of instructions, and the table.

use std::io::{Cursor, Read, Write};
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;

use super::csv::{CONFIRMED_STATUSES, formula_guard};
use super::{BadRow, PairRow, RowSource, xml};
use crate::error::{Error, Kind, Result};
use crate::pretranslate::{Draft, SegmentDraft};
use crate::text::Coded;

/// Statuses of rows not to learn: those memoire writes, and an empty cell.
const NOT_LEARNT_STATUSES: [&str; 3] = ["", "to check", "new"];

/// The title paragraph starts so.
const TITLE: &str = "memoire review: ";

/// The status a row gets when written.
fn status_of(s: &SegmentDraft) -> &'static str {
    match (&s.target, &s.suggestion) {
        (Some(_), Some(m)) if m.score >= 100 => "confirmed",
        (Some(_), _) => "to check",
        (None, _) => "new",
    }
}

/// What the score column says.
fn score_of(s: &SegmentDraft) -> String {
    match (&s.repetition_of, s.internal_of, &s.suggestion) {
        (Some(first), ..) => format!("repetition of {first}"),
        (None, Some((of, score)), _) => format!("{score} % like {of}"),
        (None, None, Some(m)) => format!("{} % {}", m.score, m.origin),
        (None, None, None) => String::new(),
    }
}

/// A paragraph of plain text (line breaks become paragraphs).
fn paragraphs(text: &str, bold: bool) -> String {
    let run_properties = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
    text.split('\n')
        .map(|line| {
            format!(
                "<w:p><w:r>{run_properties}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                xml::text(line)
            )
        })
        .collect()
}

fn cell(text: &str, width: u32, bold: bool) -> String {
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>{}</w:tc>",
        paragraphs(text, bold)
    )
}

/// Write the draft as a review table in a Word file.
pub fn write_review_docx(out: &mut dyn Write, draft: &Draft) -> std::io::Result<()> {
    let widths = [500, 4200, 4200, 1300, 1100, 2600];
    let header = [
        "#".to_string(),
        format!("Source ({})", draft.source_lang),
        format!("Target ({})", draft.target_lang),
        "Score".to_string(),
        "Status".to_string(),
        "Comment".to_string(),
    ];
    let mut rows = String::new();
    rows.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for (text, width) in header.iter().zip(widths) {
        rows.push_str(&cell(text, width, true));
    }
    rows.push_str("</w:tr>");
    for s in &draft.segments {
        let comment = s
            .warnings
            .iter()
            .cloned()
            .chain(super::xliff::match_note(s))
            .collect::<Vec<_>>()
            .join("\n");
        // Inline codes as {1}…{/1}: the reviewer keeps them in place.
        let cells = [
            s.id.to_string(),
            s.coded_source().display(),
            s.coded_target().map(|t| t.display()).unwrap_or_default(),
            score_of(s),
            status_of(s).to_string(),
            comment,
        ];
        rows.push_str("<w:tr>");
        for (text, width) in cells.iter().zip(widths) {
            rows.push_str(&cell(text, width, false));
        }
        rows.push_str("</w:tr>");
    }
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"999999\"/>")
    };
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    let title = format!(
        "{TITLE}{} ({} → {})",
        draft.name, draft.source_lang, draft.target_lang
    );
    let help = format!(
        "Edit the targets, keeping the {{1}}…{{/1}} markers around the words they mark \
         (bold, links); set Status to confirmed for each row to learn, then: memoire import \
         this file. Sources are learnt as they stand: do not edit them. (Learnt statuses: {}.)",
        CONFIRMED_STATUSES.join(", ")
    );
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>\
         {}{}<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblBorders>{borders}</w:tblBorders>\
         </w:tblPr><w:tblGrid>{}</w:tblGrid>{rows}</w:tbl>\
         <w:sectPr><w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\"/>\
         <w:pgMar w:top=\"720\" w:right=\"720\" w:bottom=\"720\" w:left=\"720\" w:header=\"360\" \
         w:footer=\"360\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>",
        paragraphs(&title, true),
        paragraphs(&help, false),
        widths
            .iter()
            .map(|w| format!("<w:gridCol w:w=\"{w}\"/>"))
            .collect::<String>(),
    );
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
        ("word/document.xml", document),
    ];
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in files {
        writer
            .start_file(name, options)
            .map_err(std::io::Error::other)?;
        writer.write_all(content.as_bytes())?;
    }
    let bytes = writer.finish().map_err(std::io::Error::other)?.into_inner();
    out.write_all(&bytes)
}

/// One row of the table as read: its cells and the XML it came from.
struct Row {
    cells: Vec<String>,
    /// The number in the # column: the sentence's place in the article.
    number: Option<usize>,
}

/// Reads a review table back, row by row.
pub struct ReviewReader {
    rows: Vec<Row>,
    next: usize,
    origin: Option<String>,
    size: u64,
    skipped: usize,
}

impl ReviewReader {
    pub fn open(path: &Path, source_lang: &str, target_lang: &str) -> Result<ReviewReader> {
        let bytes = std::fs::read(path).map_err(|e| Error::io("cannot read", path, e))?;
        let bad = |why: String| Error::new(Kind::Input, why).at(path);
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes[..]))
            .map_err(|e| bad(format!("not a readable Word file: {e}")))?;
        let mut xml = String::new();
        archive
            .by_name("word/document.xml")
            .map_err(|_| bad("not a Word file: no word/document.xml".to_string()))?
            .take(256 << 20)
            .read_to_string(&mut xml)
            .map_err(|e| bad(format!("word/document.xml: {e}")))?;
        let (paragraphs, table) =
            read_table(&xml).map_err(|why| bad(format!("word/document.xml: {why}")))?;
        let not_review =
            || {
                bad("this Word file is no memoire review table (see `memoire pretranslate --format \
                 review-docx`); to learn from a translated document, import it with its original: \
                 memoire import --aligned ORIGINAL TRANSLATED"
                .to_string())
            };
        let Some((header, rows)) = table.split_first() else {
            return Err(not_review());
        };
        let expected = [
            "#".to_string(),
            format!("Source ({source_lang})"),
            format!("Target ({target_lang})"),
            "Score".to_string(),
            "Status".to_string(),
            "Comment".to_string(),
        ];
        if header.cells.len() != expected.len()
            || header.cells[0] != "#"
            || !header.cells[1].starts_with("Source (")
        {
            return Err(not_review());
        }
        if header.cells[..3] != expected[..3] {
            return Err(bad(format!(
                "this review table is in {} and {}, not {source_lang} → {target_lang}: import it \
                 with --source-lang and --target-lang",
                header.cells[1], header.cells[2]
            )));
        }
        // « memoire review: NAME (fr → en) » names the article.
        let origin = paragraphs
            .iter()
            .find_map(|p| p.strip_prefix(TITLE))
            .and_then(|rest| rest.rsplit_once(" (").map(|(name, _)| name.to_string()));
        Ok(ReviewReader {
            rows: rows
                .iter()
                .map(|r| Row {
                    cells: r.cells.clone(),
                    number: r
                        .cells
                        .first()
                        .and_then(|n| n.trim().parse().ok())
                        .filter(|&n: &usize| n > 0),
                })
                .collect(),
            next: 0,
            origin,
            size: bytes.len() as u64,
            skipped: 0,
        })
    }
}

/// The body's paragraphs before the first table (their text), and the
/// first table's rows (each cell's text, its paragraphs joined by line
/// breaks).
fn read_table(xml: &str) -> std::result::Result<(Vec<String>, Vec<Row>), String> {
    let mut reader = Reader::from_str(xml);
    let mut before_table = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let (mut in_table, mut done) = (0usize, false);
    let mut paragraph: Option<String> = None;
    let mut cell: Option<Vec<String>> = None;
    let mut in_text = false;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => match e.name().as_ref() {
                "w:tbl" => in_table += 1,
                "w:tr" if in_table == 1 && !done => rows.push(Row {
                    cells: Vec::new(),
                    number: None,
                }),
                "w:tc" if in_table == 1 && !done => cell = Some(Vec::new()),
                "w:p" => paragraph = Some(String::new()),
                "w:t" => in_text = true,
                _ => {}
            },
            Event::End(e) => match e.name().as_ref() {
                "w:tbl" => {
                    in_table -= 1;
                    if in_table == 0 {
                        done = true;
                    }
                }
                "w:tc" if in_table == 1 && !done => {
                    if let (Some(lines), Some(row)) = (cell.take(), rows.last_mut()) {
                        row.cells.push(lines.join("\n"));
                    }
                }
                "w:p" => {
                    let text = paragraph.take().unwrap_or_default();
                    match cell.as_mut() {
                        Some(lines) => lines.push(text),
                        None if in_table == 0 && !done => before_table.push(text),
                        None => {}
                    }
                }
                "w:t" => in_text = false,
                _ => {}
            },
            Event::Empty(e) => match e.name().as_ref() {
                "w:tab" => {
                    if let Some(p) = paragraph.as_mut() {
                        p.push('\t');
                    }
                }
                "w:br" => {
                    if let Some(p) = paragraph.as_mut() {
                        p.push('\n');
                    }
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Some(p) = paragraph.as_mut() {
                    p.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_text => {
                if let Some(p) = paragraph.as_mut() {
                    p.push_str(&xml::entity_text(&r)?);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((before_table, rows))
}

impl RowSource for ReviewReader {
    fn next_row(&mut self) -> Result<Option<std::result::Result<PairRow, BadRow>>> {
        while self.next < self.rows.len() {
            let k = self.next;
            self.next += 1;
            let cells = &self.rows[k].cells;
            let cell = |i: usize| cells.get(i).map_or("", String::as_str);
            // A rejected row goes to the rejects file as a CSV row.
            let mut raw = Vec::new();
            {
                let mut w = csv::Writer::from_writer(&mut raw);
                w.write_record(cells.iter().map(|c| formula_guard(c).into_owned()))
                    .and_then(|()| w.flush().map_err(csv::Error::from))
                    .expect("writing to memory");
            }
            let status = cell(4).trim().to_string();
            let lower = status.to_lowercase();
            let number = self.rows[k].number;
            // Errors name the row by its number in the table.
            let line = number.map_or(k as u64 + 1, |n| n as u64);
            let reject = |reason: String| {
                Ok(Some(Err(BadRow {
                    line,
                    reason,
                    raw: raw.clone(),
                })))
            };
            if !CONFIRMED_STATUSES.contains(&lower.as_str()) {
                if NOT_LEARNT_STATUSES.contains(&lower.as_str()) {
                    self.skipped += 1;
                    continue;
                }
                return reject(format!(
                    "status {status:?} is not one memoire knows: {} are learnt; {} are not",
                    CONFIRMED_STATUSES.join(", "),
                    NOT_LEARNT_STATUSES[1..].join(", ")
                ));
            }
            let Some(number) = number else {
                return reject(
                    "a row without its number in the # column: memoire learns the rows it wrote"
                        .to_string(),
                );
            };
            if cell(2).trim().is_empty() {
                return reject("confirmed, but the target is empty".to_string());
            }
            let source = match Coded::from_display_untyped(cell(1).trim()) {
                Ok(source) => source,
                Err(why) => return reject(format!("the source's {{1}}…{{/1}} markers: {why}")),
            };
            let target = match Coded::from_display(cell(2).trim(), &source.codes) {
                Ok(target) => target,
                Err(why) => {
                    return reject(format!(
                        "the target's {{1}}…{{/1}} markers: {why}; keep each pair of the \
                         source around the words it marks"
                    ));
                }
            };
            // The sentences around it in the article: the rows numbered
            // just before and after, wherever the reviewer moved them.
            let neighbour = |n: Option<usize>| {
                let n = n?;
                self.rows
                    .iter()
                    .find(|r| r.number == Some(n))
                    .and_then(|r| r.cells.get(1))
                    .and_then(|s| Coded::from_display_untyped(s.trim()).ok())
                    .map(|c| c.text)
            };
            return Ok(Some(Ok(PairRow {
                line,
                source: source.text,
                target: target.text,
                source_codes: source.codes,
                target_codes: target.codes,
                origin: self.origin.clone(),
                status: Some(status),
                prev_source: neighbour(number.checked_sub(1)),
                next_source: neighbour(number.checked_add(1)),
                raw,
                ..PairRow::default()
            })));
        }
        Ok(None)
    }

    fn bytes_read(&self) -> u64 {
        if self.next >= self.rows.len() {
            self.size
        } else {
            self.size * self.next as u64 / self.rows.len().max(1) as u64
        }
    }

    fn describe(&self) -> String {
        format!(
            "a memoire review table{}: {} rows, {} not confirmed skipped",
            self.origin
                .as_deref()
                .map_or(String::new(), |o| format!(" of {o}")),
            self.rows.len(),
            self.skipped
        )
    }

    fn rejects_frame(&self) -> (Vec<u8>, Vec<u8>) {
        (
            b"#,source,target,score,status,comment\n".to_vec(),
            Vec::new(),
        )
    }

    fn is_reviewed_draft(&self) -> bool {
        true
    }
}
