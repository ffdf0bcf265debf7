//! `memoire pretranslate` and `memoire analyze`.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use memoire::document::{self, DocFormat, Document};
use memoire::format::{draft, xliff};
use memoire::pretranslate::{self, Analysis, Draft, Options};
use memoire::store::Store;
use memoire::{Error, Kind, Result};
use serde::Serialize;

use crate::cli::{AnalyzeArgs, DraftFormat, PretranslateArgs};
use crate::languages;
use crate::output::Destination;

/// Pre-translate one article file, read as `format` (by default, as its
/// extension says).
fn draft_of(
    store: &Store,
    path: &Path,
    format: Option<DocFormat>,
    options: &Options<'_>,
) -> Result<(Box<dyn Document>, Draft)> {
    let doc = document::read(path, format)?;
    if let Some(encoding) = doc.encoding() {
        eprintln!("{}: read as {encoding}", path.display());
    }
    if doc.paragraphs().is_empty() {
        return Err(Error::new(Kind::Input, "the article has no text to translate").at(path));
    }
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let draft = pretranslate::pretranslate_document(store, &name, doc.paragraphs(), options)?;
    Ok((doc, draft))
}

pub fn pretranslate(db: &Path, args: PretranslateArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    let input = args
        .input_format
        .map(|f| f.doc_format())
        .or_else(|| DocFormat::of_path(&args.article))
        .unwrap_or(DocFormat::Text);
    // `-o` with the article's own extension: the article translated.
    let same_kind = args.output.as_deref().and_then(DocFormat::of_path) == Some(input)
        && input != DocFormat::Text;
    let format = match args.format {
        Some(format) => format,
        None if same_kind => DraftFormat::Document,
        None => crate::output::format_of(
            args.output.as_deref(),
            &[
                ("xlf", DraftFormat::Xliff),
                ("xliff", DraftFormat::Xliff),
                ("csv", DraftFormat::Csv),
                ("tsv", DraftFormat::Tsv),
                ("json", DraftFormat::Json),
                ("txt", DraftFormat::Text),
                ("html", DraftFormat::Html),
                ("htm", DraftFormat::Html),
                ("docx", DraftFormat::Document),
                ("odt", DraftFormat::Document),
                ("xml", DraftFormat::Document),
            ],
            DraftFormat::Xliff,
            "document, review-docx, xliff, xliff1, csv, tsv, json, text, html",
        )?,
    };
    if format == DraftFormat::Document
        && let Some(wanted) = args.output.as_deref().and_then(DocFormat::of_path)
        && wanted != input
        && !(input == DocFormat::Text && wanted == DocFormat::Text)
    {
        return Err(Error::new(
            Kind::Input,
            format!(
                "the translated article is written in its own format ({}), not {}: give -o a \
                 .{} name, or choose a draft with --format (xliff, csv, html…)",
                input.name(),
                wanted.name(),
                input.extension()
            ),
        ));
    }
    // Word files are binary: to a file named .docx, never to a terminal.
    let binary = format == DraftFormat::ReviewDocx
        || (format == DraftFormat::Document && matches!(input, DocFormat::Docx | DocFormat::Odt));
    match args.output.as_deref() {
        None if binary && std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            return Err(Error::new(
                Kind::Input,
                "this output is a Word or OpenDocument file: give -o a file name",
            ));
        }
        Some(path)
            if format == DraftFormat::ReviewDocx
                && DocFormat::of_path(path) != Some(DocFormat::Docx) =>
        {
            return Err(Error::new(
                Kind::Input,
                "the review table is a Word file: give -o a .docx name",
            ));
        }
        _ => {}
    }
    let store = Store::open_read_only(db)?;
    let options = Options {
        source_lang: &source_lang,
        target_lang: &target_lang,
        threshold: args.threshold,
        headline_split: !args.no_headline_split,
        weights: args.weights.clone(),
    };
    let (doc, draft) = draft_of(&store, &args.article, Some(input), &options)?;
    let mut dest = Destination::open(args.output.as_deref(), db, Some(&args.article))?;
    let out = &mut dest.out;
    let guard = !args.no_formula_guard;
    if format == DraftFormat::Document {
        let targets = draft.paragraph_targets();
        doc.write(&targets, (&source_lang, &target_lang), out)?;
    }
    let written = match format {
        DraftFormat::Document => Ok(()),
        DraftFormat::ReviewDocx => memoire::format::review::write_review_docx(out, &draft),
        DraftFormat::Xliff => xliff::write_xliff2(out, &draft),
        DraftFormat::Xliff1 => xliff::write_xliff12(out, &draft),
        DraftFormat::Csv => draft::write_table(out, &draft, b',', guard, args.bom),
        DraftFormat::Tsv => draft::write_table(out, &draft, b'\t', guard, args.bom),
        DraftFormat::Json => serde_json::to_writer_pretty(&mut *out, &draft)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        DraftFormat::Text => draft::write_text(out, &draft),
        DraftFormat::Html => draft::write_html(out, &draft),
    };
    written.map_err(|e| Error::io("cannot write", &dest.name, e))?;
    dest.finish()?;
    let mut summary = Vec::new();
    draft::write_analysis(&mut summary, &draft.name, &draft.analysis).expect("writing to memory");
    eprint!("{}", String::from_utf8_lossy(&summary));
    let warnings: usize = draft.segments.iter().map(|s| s.warnings.len()).sum();
    if warnings > 0 {
        // The text draft is the bare translation: it lists no warnings.
        let where_ = if format == DraftFormat::Text {
            "the text draft does not list them: see them with --format csv, html or xliff"
        } else if format == DraftFormat::Document {
            "the translated document marks their sentences (blue in Word and HTML) but does \
             not say why: see them with --format csv, html, xliff or review-docx"
        } else {
            "see the draft"
        };
        eprintln!("{warnings} warnings (glossary terms, numbers, codes): {where_}");
    }
    let fuzzy = draft
        .segments
        .iter()
        .filter(|s| s.target.is_some() && s.suggestion.as_ref().is_some_and(|m| m.score < 100))
        .count();
    if fuzzy > 0 && format == DraftFormat::Text {
        eprintln!(
            "{fuzzy} fuzzy fills to check: the text draft does not mark them; the CSV, HTML \
             and XLIFF drafts do"
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct FileAnalysis<'a> {
    file: &'a str,
    #[serde(flatten)]
    analysis: &'a Analysis,
}

pub fn analyze(db: &Path, args: AnalyzeArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    let store = Store::open_read_only(db)?;
    let options = Options {
        source_lang: &source_lang,
        target_lang: &target_lang,
        threshold: 75,
        headline_split: !args.no_headline_split,
        weights: args.weights.clone(),
    };
    let drafts: Vec<Draft> = args
        .articles
        .iter()
        .map(|path| draft_of(&store, path, None, &options).map(|(_, draft)| draft))
        .collect::<Result<_>>()?;
    let total = Analysis::sum(drafts.iter().map(|d| &d.analysis));
    let out_err = |e: io::Error| Error::io("cannot write", Path::new("<stdout>"), e);
    let stdout = &mut io::stdout().lock();
    let labels: Vec<String> = args
        .articles
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let files: Vec<FileAnalysis<'_>> = drafts
        .iter()
        .zip(&labels)
        .map(|(d, label)| FileAnalysis {
            file: label,
            analysis: &d.analysis,
        })
        .chain(std::iter::once(FileAnalysis {
            file: "total",
            analysis: &total,
        }))
        .collect();
    if args.json {
        serde_json::to_writer_pretty(&mut *stdout, &files).map_err(|e| out_err(e.into()))?;
        writeln!(stdout).map_err(out_err)?;
    } else if args.csv {
        let mut writer = memoire::format::csv::CsvWriter::new(
            &mut *stdout,
            b',',
            true,
            &[
                "file",
                "band",
                "segments",
                "words",
                "characters",
                "weight",
                "weighted words",
            ],
        )
        .map_err(out_err)?;
        for f in &files {
            for row in &f.analysis.rows {
                writer
                    .write(&[
                        f.file,
                        row.label,
                        &row.segments.to_string(),
                        &row.words.to_string(),
                        &row.characters.to_string(),
                        &row.weight.to_string(),
                        &format!("{:.1}", row.weighted_words),
                    ])
                    .map_err(out_err)?;
            }
        }
        writer.finish().map_err(out_err)?;
    } else {
        for f in &files {
            draft::write_analysis(&mut *stdout, f.file, f.analysis).map_err(out_err)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
