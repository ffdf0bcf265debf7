//! Drafts for people: a bilingual CSV/TSV table, the English text, and a
//! self-contained HTML report. (XLIFF for CAT tools is in
//! [`super::xliff`]; JSON is the [`Draft`] serialised.)

use std::io::{self, Write};

use quick_xml::escape::escape;

use super::csv::CsvWriter;
use crate::fuzzy::DiffPart;
use crate::pretranslate::{Analysis, Band, Draft};

/// One row per segment: id, paragraph, source, target, status, score,
/// origin of the match, the memory's source and its diff for a fuzzy fill,
/// terms (`OTSC → CSTO; département d'État → State Department (not:
/// Department of State)`), warnings. The status says
/// what a reviewer must do: `translated` (an exact match), `fuzzy` (a fill
/// to check: set it to `translated` once checked), `new` (to translate).
/// Only `translated` rows are learnt when the table is imported back.
/// With `guard`, cells that a spreadsheet would take for a formula get a
/// leading `'` ([`super::csv::formula_guard`]), which the import removes. With `bom`,
/// a UTF-8 byte-order mark first, so that Excel opens the accents right.
pub fn write_table(
    out: &mut dyn Write,
    draft: &Draft,
    delimiter: u8,
    guard: bool,
    bom: bool,
) -> io::Result<()> {
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let header = [
        "id",
        "paragraph",
        draft.source_lang.as_str(),
        draft.target_lang.as_str(),
        "status",
        "score",
        "match origin",
        "memory source",
        "diff",
        "terms",
        "warnings",
    ];
    let mut writer = CsvWriter::new(out, delimiter, guard, &header)?;
    for s in &draft.segments {
        let score = match (&s.repetition_of, s.internal_of, &s.suggestion) {
            (Some(first), ..) => format!("repetition of {first}"),
            (None, Some((of, score)), _) => format!("internal {score} % of {of}"),
            (None, None, Some(m)) => m.score.to_string(),
            (None, None, None) => String::new(),
        };
        let status = match (&s.target, &s.suggestion) {
            (Some(_), Some(m)) if m.score >= 100 => "translated",
            (Some(_), _) => "fuzzy",
            (None, _) => "new",
        };
        let terms: Vec<String> = s.terms.iter().map(super::xliff::term_line).collect();
        // A fuzzy fill: the memory's source and what differs, so that the
        // reviewer sees « lundi » for « mardi » at once.
        let (memory_source, diff) = match &s.suggestion {
            Some(m) if m.score < 100 => (m.source.clone(), m.diff.clone()),
            _ => (String::new(), String::new()),
        };
        let cells = [
            s.id.to_string(),
            s.paragraph.to_string(),
            s.source.clone(),
            s.target.clone().unwrap_or_default(),
            status.to_string(),
            score,
            s.suggestion
                .as_ref()
                .map_or(String::new(), |m| m.origin.clone()),
            memory_source,
            diff,
            terms.join("; "),
            s.warnings.join("; "),
        ];
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        writer.write(&cells)?;
    }
    writer.finish()
}

/// The draft as running text, a paragraph per line; segments without a
/// translation stay in the source language between `[[` and `]]`.
pub fn write_text(out: &mut dyn Write, draft: &Draft) -> io::Result<()> {
    for target in draft.paragraph_targets() {
        writeln!(
            out,
            "{}",
            super::text::one_line(&super::text::plain_text(&target))
        )?;
    }
    Ok(())
}

/// The analysis as a plain table: segments, words, characters (without
/// white space), the band's weight and its weighted words.
pub fn write_analysis(out: &mut dyn Write, name: &str, analysis: &Analysis) -> io::Result<()> {
    writeln!(out, "{name}")?;
    writeln!(
        out,
        "  {:<18} {:>8} {:>8} {:>10} {:>7} {:>9}",
        "band", "segments", "words", "characters", "weight", "weighted"
    )?;
    for row in &analysis.rows {
        writeln!(
            out,
            "  {:<18} {:>8} {:>8} {:>10} {:>7} {:>9.1}",
            row.label, row.segments, row.words, row.characters, row.weight, row.weighted_words
        )?;
    }
    writeln!(
        out,
        "  {:<18} {:>8} {:>8} {:>10} {:>7} {:>9.1}",
        "total",
        analysis.segments,
        analysis.words,
        analysis.characters,
        "",
        analysis.weighted_words
    )
}

/// A diff with the memory's words struck out and the article's underlined.
fn html_diff(parts: &[DiffPart]) -> String {
    parts
        .iter()
        .map(|part| match part {
            DiffPart::Same(t) => escape(t).into_owned(),
            DiffPart::Removed(t) => format!("<del>{}</del>", escape(t)),
            DiffPart::Added(t) => format!("<ins>{}</ins>", escape(t)),
        })
        .collect()
}

fn band_class(band: Band) -> &'static str {
    match band {
        Band::Repetition => "rep",
        Band::Internal => "internal",
        Band::Context | Band::Exact => "exact",
        Band::Fuzzy95 => "f95",
        Band::Fuzzy85 => "f85",
        Band::Fuzzy75 => "f75",
        Band::Fuzzy50 => "f50",
        Band::NoMatch => "none",
    }
}

/// A self-contained HTML report: the analysis on top, then source and
/// draft side by side, each row coloured by its match band, glossary terms
/// marked in the source with their equivalents on hover and listed under
/// it, terminology warnings in red.
pub fn write_html(out: &mut dyn Write, draft: &Draft) -> io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{name} — memoire draft</title><style>\n\
         body{{font:15px/1.45 system-ui,sans-serif;margin:2em;color:#222}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.4em .6em;vertical-align:top}}\
         th{{background:#f3f3f3;text-align:left}}.num{{text-align:right}}\
         .exact{{background:#dff5df}}.f95{{background:#eaf7d7}}.f85{{background:#fbf3cf}}.f75{{background:#fde6c8}}\
         .f50{{background:#fbd9d3}}.none{{background:#fff}}.rep{{background:#e3ecfb}}.internal{{background:#efe3fb}}\
         mark{{background:#ffe680;border-bottom:1px dotted #a80}}.terms{{font-size:.85em;color:#555}}\
         .warn{{color:#b00;font-size:.85em}}.src{{width:46%}}.tgt{{width:46%}}.empty{{color:#999;font-style:italic}}\
         .score{{white-space:nowrap}}h2{{margin-top:1.5em}}\
         .memory{{font-size:.85em;color:#555;margin-top:.3em}}del{{color:#b00}}ins{{color:#060;text-decoration:underline}}\n</style></head><body>\n\
         <h1>{name}</h1><p>Draft by memoire, {src} → {tgt}, filled from {threshold} %.</p>\n",
        lang = escape(&draft.source_lang),
        name = escape(&draft.name),
        src = escape(&draft.source_lang),
        tgt = escape(&draft.target_lang),
        threshold = draft.threshold
    )?;
    writeln!(
        out,
        "<h2>Analysis</h2><table class=\"analysis\"><tr><th>band</th><th>segments</th>\
         <th>words</th><th>characters</th><th>weight</th><th>weighted words</th></tr>"
    )?;
    for row in &draft.analysis.rows {
        writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td></tr>",
            band_class(row.band),
            escape(row.label),
            row.segments,
            row.words,
            row.characters,
            row.weight,
            row.weighted_words
        )?;
    }
    writeln!(
        out,
        "<tr><th>total</th><th class=\"num\">{}</th><th class=\"num\">{}</th>\
         <th class=\"num\">{}</th><th></th><th class=\"num\">{:.1}</th></tr></table>",
        draft.analysis.segments,
        draft.analysis.words,
        draft.analysis.characters,
        draft.analysis.weighted_words
    )?;
    writeln!(
        out,
        "<h2>Draft</h2><table class=\"draft\"><tr><th>#</th><th class=\"src\">source</th><th class=\"tgt\">draft</th><th>match</th></tr>"
    )?;
    for s in &draft.segments {
        let mut source = String::new();
        let mut at = 0;
        for t in &s.terms {
            let title: Vec<String> = t
                .entries
                .iter()
                .map(|e| format!("{} ({})", e.target, e.status.as_str()))
                .collect();
            source.push_str(&escape(&s.source[at..t.start]));
            source.push_str(&format!(
                "<mark title=\"{}\">{}</mark>",
                escape(title.join(", ")),
                escape(&s.source[t.start..t.end])
            ));
            at = t.end;
        }
        source.push_str(&escape(&s.source[at..]));
        let terms: Vec<String> = s
            .terms
            .iter()
            .map(|t| {
                let targets: Vec<String> = t
                    .entries
                    .iter()
                    .map(|e| match e.status.as_str() {
                        "forbidden" => format!("<s>{}</s>", escape(&e.target)),
                        _ => escape(&e.target).into_owned(),
                    })
                    .collect();
                let modifier = t
                    .modifier_line()
                    .map(|m| format!(" + {}", escape(&m)))
                    .unwrap_or_default();
                format!("{} → {}{modifier}", escape(&t.text), targets.join(" / "))
            })
            .collect();
        let target = match &s.target {
            Some(t) => escape(t).into_owned(),
            None => "<span class=\"empty\">(to translate)</span>".to_string(),
        };
        let score = match (&s.repetition_of, s.internal_of, &s.suggestion) {
            (Some(first), ..) => format!("repetition of #{first}"),
            (None, Some((of, score)), _) => {
                format!("{score} % like #{of}<br><small>this article</small>")
            }
            (None, None, Some(m)) => format!(
                "{} %{}<br><small>{}</small>",
                m.score,
                if m.adjusted { ", numbers adjusted" } else { "" },
                escape(&m.origin)
            ),
            (None, None, None) => "—".to_string(),
        };
        write!(
            out,
            "<tr class=\"{}\"><td class=\"num\">{}</td><td>{source}",
            band_class(s.band),
            s.id
        )?;
        if !terms.is_empty() {
            write!(out, "<div class=\"terms\">{}</div>", terms.join("<br>"))?;
        }
        write!(out, "</td><td>{target}")?;
        if let Some(m) = s.suggestion.as_ref().filter(|m| m.score < 100) {
            write!(
                out,
                "<div class=\"memory\">memory: {}</div>",
                html_diff(&m.diff_parts)
            )?;
        }
        for w in &s.warnings {
            write!(out, "<div class=\"warn\">⚠ {}</div>", escape(w))?;
        }
        writeln!(out, "</td><td class=\"score\">{score}</td></tr>")?;
    }
    writeln!(out, "</table></body></html>")
}
