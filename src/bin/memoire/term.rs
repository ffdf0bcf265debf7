//! `memoire term …`: the glossary commands.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use memoire::glossary::{Found, Glossary, MatchKind, Side};
use memoire::segment::Segmenter;
use memoire::store::{NewTerm, Store, Term, TermAdded, TermStatus};
use memoire::{Error, Kind, Result};
use serde::Serialize;

use crate::cli::{
    TermAddArgs, TermCommand, TermFindArgs, TermListArgs, TermLookupArgs, TermRemoveArgs,
};
use crate::{Contents, export, import, languages, open_for_writing, read_text};

pub fn run(db: &Path, command: TermCommand) -> Result<ExitCode> {
    match command {
        TermCommand::Add(args) => add(db, args),
        TermCommand::Import(args) => import(db, args, Contents::Glossary),
        TermCommand::Export(args) => export(db, args, Contents::Glossary),
        TermCommand::List(args) => list(db, args),
        TermCommand::Remove(args) => remove(db, args),
        TermCommand::Lookup(args) => lookup(db, args),
        TermCommand::Find(args) => find(db, args),
    }
}

/// `1 segment`, `2 segments`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn stdout_error(e: io::Error) -> Error {
    Error::io("cannot write", Path::new("<stdout>"), e)
}

fn print_json(value: &impl Serialize) -> Result<()> {
    let stdout = &mut io::stdout().lock();
    serde_json::to_writer_pretty(&mut *stdout, value).map_err(|e| stdout_error(e.into()))?;
    writeln!(stdout).map_err(stdout_error)
}

/// `target (status; domain; note)` as one line.
fn describe(term: &Term) -> String {
    let mut details = Vec::new();
    if term.status != TermStatus::Preferred {
        details.push(term.status.as_str().to_string());
    }
    details.extend(term.domain.clone());
    details.extend(term.note.clone());
    let mark = if term.status == TermStatus::Forbidden {
        "✗ "
    } else {
        ""
    };
    if details.is_empty() {
        format!("{mark}{}", term.target)
    } else {
        format!("{mark}{}  ({})", term.target, details.join("; "))
    }
}

fn add(db: &Path, args: TermAddArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    if args.source.trim().is_empty() || args.target.trim().is_empty() {
        return Err(Error::new(
            Kind::Input,
            "a term pair needs a source and a target",
        ));
    }
    for (field, text) in [("source", &args.source), ("target", &args.target)] {
        memoire::glossary::check_term_text(field, text)
            .map_err(|why| Error::new(Kind::Input, why))?;
    }
    // What an import refuses, `term add` refuses too: these would break
    // every TBX written from the glossary.
    let fields = [
        ("source", Some(&args.source)),
        ("target", Some(&args.target)),
        ("--domain", args.domain.as_ref()),
        ("--note", args.note.as_ref()),
    ];
    for (field, text) in fields {
        if let Some(c) = text.and_then(|t| t.chars().find(|&c| memoire::text::forbidden_char(c))) {
            return Err(Error::new(
                Kind::Input,
                format!("{field}: {}", memoire::text::describe_forbidden(c)),
            ));
        }
    }
    let mut store = open_for_writing(db)?;
    // On a pair already there, the fields not given on the command line keep
    // their values (adding a note must not turn a forbidden entry preferred):
    // the store keeps what is not given.
    let known = store
        .terms(&source_lang, &target_lang)?
        .into_iter()
        .find(|t| {
            t.source == memoire::text::term_text(&args.source)
                && t.target == memoire::text::term_text(&args.target)
        });
    let status = args
        .status
        .or(known.as_ref().map(|t| t.status))
        .unwrap_or(TermStatus::Preferred);
    let mut batch = store.begin_terms()?;
    let added = batch.add(&NewTerm {
        source_lang: &source_lang,
        target_lang: &target_lang,
        source: args.source.trim(),
        target: args.target.trim(),
        domain: args.domain.as_deref(),
        note: args.note.as_deref(),
        status: args.status,
        origin: "memoire term add",
        pos: args.pos.as_deref(),
        checked: None,
    })?;
    batch.commit()?;
    let what = match added {
        TermAdded::New => "added",
        TermAdded::Updated => "updated",
        TermAdded::Unchanged => "already in the glossary",
    };
    eprintln!(
        "{} → {}: {what} ({})",
        args.source.trim(),
        args.target.trim(),
        status.as_str()
    );
    Ok(ExitCode::SUCCESS)
}

fn list(db: &Path, args: TermListArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    let store = Store::open_read_only(db)?;
    let terms: Vec<Term> = store
        .terms(&source_lang, &target_lang)?
        .into_iter()
        .filter(|t| {
            args.domain
                .as_deref()
                .is_none_or(|d| t.domain.as_deref() == Some(d))
        })
        .filter(|t| args.status.is_none_or(|s| t.status == s))
        .collect();
    if args.json {
        print_json(&terms)?;
    } else {
        let stdout = &mut io::stdout().lock();
        for term in &terms {
            writeln!(stdout, "{} → {}", term.source, describe(term)).map_err(stdout_error)?;
        }
        eprintln!(
            "{} ({source_lang} → {target_lang})",
            count(terms.len(), "term pair")
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(db: &Path, args: TermRemoveArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    let mut store = Store::open_existing(db)?;
    let removed = match (&args.origin, &args.source) {
        (Some(origin), _) => store.remove_terms_from(origin)?,
        (None, Some(source)) => {
            store.remove_terms(&source_lang, &target_lang, source, args.target.as_deref())?
        }
        (None, None) => unreachable!("clap requires a source or --origin"),
    };
    eprintln!("removed {}", count(removed, "term pair"));
    Ok(if removed == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn lookup(db: &Path, args: TermLookupArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    let store = Store::open_read_only(db)?;
    let (side, lang) = if args.reverse {
        (Side::Target, &target_lang)
    } else {
        (Side::Source, &source_lang)
    };
    let glossary = Glossary::new(store.terms(&source_lang, &target_lang)?, side, lang);
    let hits = glossary.lookup(&args.text, args.limit);
    if args.json {
        print_json(&hits)?;
    } else {
        let stdout = &mut io::stdout().lock();
        for hit in &hits {
            let kind = match hit.kind {
                MatchKind::Exact => String::new(),
                MatchKind::Fuzzy => format!(
                    "   [{}, {:.0} %]",
                    hit.kind.describe(),
                    hit.similarity * 100.0
                ),
                other => format!("   [{}]", other.describe()),
            };
            let line = match side {
                Side::Source => format!("{} → {}{kind}", hit.entry.source, describe(hit.entry)),
                Side::Target => format!("{} ← {}{kind}", describe(hit.entry), hit.entry.source),
            };
            writeln!(stdout, "{line}").map_err(stdout_error)?;
        }
        if hits.is_empty() {
            eprintln!(
                "{:?} is not in the glossary ({source_lang} → {target_lang})",
                args.text
            );
        }
    }
    // An English form typed on the French side (`Shoigu`): say where it is.
    let weak = hits.iter().all(|h| h.kind == MatchKind::Fuzzy);
    if weak && !args.reverse {
        let reverse = Glossary::new(
            store.terms(&source_lang, &target_lang)?,
            Side::Target,
            &target_lang,
        );
        let found = reverse.lookup(&args.text, 3);
        if let Some(hit) = found.iter().find(|h| h.kind != MatchKind::Fuzzy) {
            eprintln!(
                "{:?} is a translation in the glossary ({} → {}): look it up with \
                 memoire term lookup --reverse {:?}",
                args.text, hit.entry.source, hit.entry.target, args.text
            );
        }
    }
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A segment and the terms in it, as `term find --json` prints it.
#[derive(Serialize)]
struct SegmentTerms<'a> {
    paragraph: usize,
    start: usize,
    end: usize,
    text: &'a str,
    terms: Vec<FoundTerm<'a>>,
}

#[derive(Serialize)]
struct FoundTerm<'a> {
    text: &'a str,
    #[serde(flatten)]
    found: Found<'a>,
}

fn find(db: &Path, args: TermFindArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    let text = match args.text {
        Some(text) => text,
        None => read_text(args.file.as_deref())?.0,
    };
    let store = Store::open_read_only(db)?;
    let glossary = Glossary::new(
        store.terms(&source_lang, &target_lang)?,
        Side::Source,
        &source_lang,
    );
    let segmenter = Segmenter::for_language(&source_lang);
    // Terms are found in the whole text (they may run over a line break),
    // then listed under the segment they start in.
    let mut found = glossary.find(&text).into_iter().peekable();
    let mut segments = Vec::new();
    for paragraph in segmenter.paragraphs(&text) {
        for range in paragraph.sentences {
            let mut terms = Vec::new();
            while let Some(f) = found.next_if(|f| f.start < range.end) {
                terms.push(FoundTerm {
                    text: &text[f.start..f.end],
                    found: f,
                });
            }
            segments.push(SegmentTerms {
                paragraph: paragraph.number,
                start: range.start,
                end: range.end,
                text: &text[range],
                terms,
            });
        }
    }
    let total: usize = segments.iter().map(|s| s.terms.len()).sum();
    if args.json {
        print_json(&segments)?;
    } else {
        let stdout = &mut io::stdout().lock();
        for segment in segments.iter().filter(|s| !s.terms.is_empty()) {
            writeln!(stdout, "¶{}  {}", segment.paragraph, segment.text).map_err(stdout_error)?;
            for term in &segment.terms {
                let kind = match term.found.kind {
                    MatchKind::Exact => String::new(),
                    other => format!("   [{}]", other.describe()),
                };
                let targets: Vec<String> = term.found.entries.iter().map(|t| describe(t)).collect();
                let modifier = match &term.found.modifier {
                    Some(m) => {
                        let targets: Vec<&str> =
                            m.entries.iter().map(|t| t.target.as_str()).collect();
                        format!("  + {} → {}", &text[m.start..m.end], targets.join(" | "))
                    }
                    None => String::new(),
                };
                writeln!(
                    stdout,
                    "    {} → {}{modifier}{kind}",
                    term.text,
                    targets.join(" | ")
                )
                .map_err(stdout_error)?;
            }
        }
        let with_terms = segments.iter().filter(|s| !s.terms.is_empty()).count();
        eprintln!(
            "{} in {} of {}",
            count(total, "glossary term"),
            with_terms,
            count(segments.len(), "segment")
        );
    }
    Ok(if total == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
