//! `memoire pretranslate` and `memoire analyze`.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use memoire::format::{draft, xliff};
use memoire::pretranslate::{self, Analysis, Draft, Options};
use memoire::store::Store;
use memoire::{Error, Kind, Result};
use serde::Serialize;

use crate::cli::{AnalyzeArgs, DraftFormat, PretranslateArgs};
use crate::output::Destination;
use crate::{languages, read_text};

/// Pre-translate one article file.
fn draft_of(store: &Store, path: &Path, options: &Options<'_>) -> Result<Draft> {
    let (article, _, encoding) = read_text(Some(path))?;
    if encoding != memoire::format::encoding::TextEncoding::Utf8 {
        eprintln!("{}: read as {}", path.display(), encoding.name());
    }
    if article.trim().is_empty() {
        return Err(Error::new(Kind::Input, "the article is empty").at(path));
    }
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    pretranslate::pretranslate(store, &name, &article, options)
}

pub fn pretranslate(db: &Path, args: PretranslateArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    let format = match args.format {
        Some(format) => format,
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
            ],
            DraftFormat::Xliff,
            "xliff, xliff1, csv, tsv, json, text, html",
        )?,
    };
    let store = Store::open_read_only(db)?;
    let options = Options {
        source_lang: &source_lang,
        target_lang: &target_lang,
        threshold: args.threshold,
        headline_split: !args.no_headline_split,
        weights: args.weights.clone(),
    };
    let draft = draft_of(&store, &args.article, &options)?;
    let mut dest = Destination::open(args.output.as_deref(), db, Some(&args.article))?;
    let out = &mut dest.out;
    let guard = !args.no_formula_guard;
    let written = match format {
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
        .map(|path| draft_of(&store, path, &options))
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
