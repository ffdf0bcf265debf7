//! The `memoire` command: parses arguments, calls the library, renders the
//! results and picks the exit status (0 success, 1 partial — rows rejected or
//! nothing found —, 2 error). A closed pipe (`memoire export | head`) is not
//! an error.

/// Messages to stderr that never panic: when stderr is a closed pipe
/// (`memoire … 2>&1 | head`), a message is lost, not the exit status. These
/// shadow the standard macros in every module of the binary.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

macro_rules! eprint {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod draft;
mod output;
mod serve;
mod term;

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use memoire::export;
use memoire::format::csv::CsvOptions;
use memoire::format::encoding::TextEncoding;
use memoire::fuzzy;
use memoire::import::{self, ImportOptions, ImportReport};
use memoire::segment::Segmenter;
use memoire::store::{self, Store};
use memoire::{Error, Kind, Result};
use serde::Serialize;

use cli::{
    Cli, Command, ConcordanceArgs, ExportArgs, ExportFormat, ImportArgs, ImportFormat, LangArgs,
    LookupArgs, RemoveArgs, SegmentArgs, SegmentLang, StatsArgs,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    memoire::interrupt::on_wait(|| eprintln!("waiting for another import to finish…"));
    // Ctrl-C or SIGTERM (a desk's script stopping a job): a command that can
    // stop cleanly (an import, an export) is told to and keeps nothing; any
    // other simply ends, as without handler.
    // `serve` handles both signals itself: it stops taking requests and
    // finishes those in flight.
    if !matches!(cli.command, Command::Serve(_)) {
        let _ = ctrlc::set_handler(|| {
            memoire::interrupt::request();
            if !STOPS_CLEANLY.load(Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    match run(cli) {
        Ok(code) => code,
        Err(err) if err.is_broken_pipe() => ExitCode::SUCCESS,
        Err(err) if err.kind() == Kind::Interrupted => {
            eprintln!("memoire: {err}");
            ExitCode::from(130)
        }
        Err(err) => {
            eprintln!("memoire: {}", chain(&err));
            ExitCode::from(2)
        }
    }
}

/// Set by commands that check [`memoire::interrupt::requested`] and stop
/// cleanly on Ctrl-C.
static STOPS_CLEANLY: AtomicBool = AtomicBool::new(false);

/// The error and its causes on one line: `a.csv: cannot open: No such file…`.
fn chain(err: &Error) -> String {
    let mut line = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        let text = c.to_string();
        // SQLite's errors repeat their message one level down; say it once.
        let repeated = line.contains(&text)
            || line
                .rsplit(": ")
                .next()
                .is_some_and(|last| text.ends_with(last));
        if !repeated {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    line
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Import(args) => import(&db_path(cli.db)?, args, Contents::Memory),
        Command::Export(args) => export(&db_path(cli.db)?, args, Contents::Memory),
        Command::Term(args) => term::run(&db_path(cli.db)?, args.command),
        Command::Lookup(args) => lookup(&db_path(cli.db)?, args),
        Command::Concordance(args) => concordance(&db_path(cli.db)?, args),
        Command::Pretranslate(args) => draft::pretranslate(&db_path(cli.db)?, args),
        Command::Analyze(args) => draft::analyze(&db_path(cli.db)?, args),
        Command::Remove(args) => remove(&db_path(cli.db)?, args),
        Command::Stats(args) => stats(&db_path(cli.db)?, args),
        Command::Upgrade => upgrade(&db_path(cli.db)?),
        Command::Segment(args) => segment(args),
        Command::Serve(args) => serve::serve(&db_path(cli.db)?, args),
        Command::Token(args) => serve::token(&db_path(cli.db)?, args.command),
        Command::Migrate(args) => migrate(args),
    }
}

/// `--db`, else `MEMOIRE_DB` (when set and not empty), else the data
/// directory.
/// Say so when a PostgreSQL memory is reached over the network without
/// TLS (TLS adversary: nothing told a desk that `prefer` was plaintext).
pub(crate) fn warn_if_unencrypted(db: &Path) {
    if let Some(host) = store::postgres_url(db).and_then(store::postgres::unencrypted_remote_host) {
        eprintln!(
            "memoire: note: the connection to {host} is not encrypted \
             (add sslmode=verify-full to the URL for TLS)"
        );
    }
}

fn db_path(given: Option<PathBuf>) -> Result<PathBuf> {
    let chosen = given.or_else(|| {
        std::env::var_os("MEMOIRE_DB")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(path) = chosen {
        store::check_db(&path)?;
        warn_if_unencrypted(&path);
        return Ok(path);
    }
    let path = store::default_path().ok_or_else(|| {
        Error::new(
            Kind::Input,
            "cannot tell where to keep the memory: give --db PATH or set MEMOIRE_DB",
        )
    })?;
    // The default folder is memoire's own: it is created on first use (a
    // folder given with --db must exist, so that a typo does not silently
    // start a new memory somewhere).
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io("cannot create the database folder", dir, e))?;
    }
    Ok(path)
}

/// Checked language codes from the command line.
pub fn languages(langs: &LangArgs) -> Result<(String, String)> {
    let code = |flag: &str, value: &str| {
        memoire::text::language_code(value).ok_or_else(|| {
            Error::new(
                Kind::Input,
                format!("{flag} {value:?} is not a language code (use fr, en, de, fr-CH…)"),
            )
        })
    };
    let (source, target) = (
        code("--source-lang", &langs.source_lang)?,
        code("--target-lang", &langs.target_lang)?,
    );
    if source == target {
        return Err(Error::new(
            Kind::Input,
            format!(
                "--source-lang and --target-lang are both {source}: a memory pairs two languages"
            ),
        ));
    }
    Ok((source, target))
}

/// What an import or export is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    Memory,
    Glossary,
}

/// Open the store for a command that writes; a new memory gets the shipped
/// glossary unless MEMOIRE_NO_GLOSSARY is set.
pub fn open_for_writing(db: &Path) -> Result<Store> {
    let opted_out = std::env::var_os("MEMOIRE_NO_GLOSSARY").is_some_and(|v| !v.is_empty());
    let store = memoire::glossary::open_for_writing(db, !opted_out)?;
    if let Some(from) = store.upgraded_from() {
        eprintln!(
            "{}: upgraded from schema version {from} to {} (older memoire versions can no \
             longer open it)",
            memoire::store::shown(db),
            store.current_schema()
        );
    }
    if store.created() {
        let terms = store.stats().map(|s| s.term_pairs).unwrap_or(0);
        eprintln!(
            "new memory created at {} ({})",
            memoire::store::shown(db),
            if terms > 0 {
                format!("with memoire's news glossary, {terms} term pairs")
            } else {
                "empty".to_string()
            }
        );
    }
    Ok(store)
}

/// `memoire upgrade`: a memory of an older memoire brought to this one's
/// schema (a new one is not created).
fn upgrade(db: &Path) -> Result<ExitCode> {
    let store = if store::postgres_url(db).is_some() {
        // A database without a memory is refused, not given one.
        let store = Store::open_existing(db)?;
        if let Some(from) = store.upgraded_from() {
            eprintln!(
                "{}: upgraded from schema version {from} to {}",
                memoire::store::shown(db),
                store.current_schema()
            );
        }
        store
    } else if !db.exists() {
        return Err(Error::new(Kind::Input, "there is no memory here to upgrade").at(db));
    } else {
        if Store::open_read_only(db).is_err_and(|e| e.kind() == Kind::OlderSchema) {
            eprintln!(
                "{}: upgrading (the fuzzy index is built again: about a minute per million pairs)…",
                memoire::store::shown(db)
            );
        }
        open_for_writing(db)?
    };
    if store.upgraded_from().is_none() {
        eprintln!(
            "{}: already at schema version {}",
            memoire::store::shown(db),
            store.current_schema()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `memoire migrate --from A --to B`.
fn migrate(args: cli::MigrateArgs) -> Result<ExitCode> {
    STOPS_CLEANLY.store(true, Ordering::SeqCst);
    store::check_db(&args.from)?;
    store::check_db(&args.to)?;
    if memoire::store::same_file(&args.from, &args.to)
        || (store::postgres_url(&args.from).is_some() && args.from == args.to)
    {
        return Err(Error::new(
            Kind::Input,
            "--from and --to are the same memory: give an empty destination",
        )
        .at(Path::new(&store::shown(&args.to))));
    }
    let from = Store::open_read_only(&args.from)?;
    // A new file is made (its folder must exist); an existing one must be
    // an empty memory, which `migrate` checks.
    let mut to = Store::open(&args.to)?;
    let done = match memoire::migrate::migrate(&from, &mut to) {
        Ok(done) => done,
        Err(e) => {
            // A file this command made holds nothing: it goes again.
            if to.created() && !to.is_postgres() {
                drop(to);
                for suffix in ["", "-wal", "-shm"] {
                    let mut path = args.to.clone().into_os_string();
                    path.push(suffix);
                    let _ = std::fs::remove_file(path);
                }
            }
            return Err(e);
        }
    };
    to.checkpoint();
    eprintln!(
        "{} → {}: {} pairs, {} term pairs, {} token{} copied",
        store::shown(&args.from),
        store::shown(&args.to),
        done.pairs,
        done.terms,
        done.tokens,
        if done.tokens == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

pub fn import(db: &Path, args: ImportArgs, contents: Contents) -> Result<ExitCode> {
    STOPS_CLEANLY.store(true, Ordering::SeqCst);
    let (source_lang, target_lang) = languages(&args.langs)?;
    if args.origin.as_deref().is_some_and(|o| o.trim().is_empty()) {
        return Err(Error::new(
            Kind::Input,
            "--origin needs a label (or leave it out to use the file name)",
        ));
    }
    // The origin goes into every exported TMX: said once, not per row.
    let origin = args.origin.clone().unwrap_or_else(|| {
        args.file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    });
    if let Some(c) = origin.chars().find(|&c| memoire::text::forbidden_char(c)) {
        let what = if args.origin.is_some() {
            "--origin"
        } else {
            "the file name, the pairs' default origin,"
        };
        return Err(Error::new(
            Kind::Input,
            format!(
                "{what} holds a {}; give another label with --origin",
                memoire::text::describe_forbidden(c)
            ),
        ));
    }
    let options = ImportOptions {
        source_lang,
        target_lang,
        origin: args.origin,
        strict: args.strict,
        rejects: args.rejects,
        replace_rejects: args.force,
        max_segment: args.max_segment_size,
        format: args.format.map(ImportFormat::into),
        csv: CsvOptions {
            delimiter: args.delimiter,
            encoding: args.encoding,
            header: args.header.into(),
            source_col: args.source_col,
            target_col: args.target_col,
        },
        user: None,
    };
    // A missing or unreadable file should not leave a new, empty memory.
    File::open(&args.file).map_err(|e| Error::io("cannot open", &args.file, e))?;
    if !std::fs::metadata(&args.file).is_ok_and(|m| m.is_file()) {
        return Err(Error::new(
            Kind::Input,
            "memoire imports files, not pipes, devices or folders: save the data to a file \
             first (it is read twice: once to detect its encoding and layout)",
        )
        .at(&args.file));
    }
    // The file is opened (format, encoding, layout checked) before the
    // memory, so that a file that cannot be imported leaves no new memory.
    if contents == Contents::Glossary && args.aligned.is_some() {
        return Err(Error::new(
            Kind::Input,
            "--aligned learns translations, not glossary terms: use `memoire import --aligned`",
        ));
    }
    let file = match (contents, &args.aligned) {
        (Contents::Memory, Some(original)) => {
            import::open_aligned_files(original, &args.file, &options)?
        }
        (Contents::Memory, None) => import::open_memory_file(&args.file, &options)?,
        (Contents::Glossary, _) => import::open_glossary_file(&args.file, &options)?,
    };
    let mut store = open_for_writing(db)?;
    let bar = (!args.quiet && io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} rows, {eta} left")
                .expect("valid template"),
        );
        bar
    });
    let mut progress = |p: import::Progress| {
        if let Some(bar) = &bar {
            bar.set_length(p.total);
            bar.set_position(p.bytes);
            bar.set_message(p.rows.to_string());
        }
    };
    let report = match contents {
        Contents::Memory => import::import_pairs(&mut store, file, &options, &mut progress),
        Contents::Glossary => import::import_term_pairs(&mut store, file, &options, &mut progress),
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = report?;
    // An alignment: every pair with its confidence, on standard output.
    if !report.aligned.is_empty() {
        let stdout = &mut io::stdout().lock();
        let out_err = |e: io::Error| Error::io("cannot write", Path::new("<stdout>"), e);
        for pair in &report.aligned {
            writeln!(
                stdout,
                "{:>3} %  {}\n       {}",
                pair.confidence, pair.source, pair.target
            )
            .map_err(out_err)?;
        }
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    for reject in &report.rejected {
        eprintln!(
            "{}:{}: {}",
            report.path.display(),
            reject.line,
            reject.reason
        );
    }
    if !args.quiet {
        print_import_summary(&report, contents);
    } else if let Some(path) = &report.rejects_path {
        eprintln!("rejected rows copied to {}", path.display());
    }
    Ok(if report.complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_import_summary(report: &ImportReport, contents: Contents) {
    let fallback = if report.windows_1252_rows > 0 {
        format!(" ({} rows read as Windows-1252)", report.windows_1252_rows)
    } else {
        String::new()
    };
    eprintln!("{}: {}{fallback}", report.path.display(), report.described);
    if !report.ignored_columns.is_empty() {
        eprintln!("ignored columns: {}", report.ignored_columns.join(", "));
    }
    match contents {
        Contents::Memory => eprintln!(
            "rows read {}, pairs added {}, alternatives added {}, {}duplicates skipped {}, rejected {}",
            report.rows_read,
            report.added,
            report.alternatives,
            if report.updated > 0 {
                format!("translations updated {}, ", report.updated)
            } else {
                String::new()
            },
            report.duplicates,
            report.rejected.len()
        ),
        Contents::Glossary => eprintln!(
            "rows read {}, terms added {}, terms updated {}, unchanged {}, rejected {}",
            report.rows_read,
            report.added,
            report.updated,
            report.duplicates,
            report.rejected.len()
        ),
    }
    if report.context_learnt > 0 {
        eprintln!(
            "context (previous and next sentence) learnt for {} pairs already stored",
            report.context_learnt
        );
    }
    if let Some(path) = &report.rejects_path {
        eprintln!("rejected rows copied to {}", path.display());
    }
}

pub fn export(db: &Path, args: ExportArgs, contents: Contents) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    STOPS_CLEANLY.store(true, Ordering::SeqCst);
    let mut dest = output::Destination::open(args.output.as_deref(), db, None)?;
    let format = match args.format {
        Some(format) => format,
        None => output::format_of(
            args.output.as_deref(),
            &[
                ("csv", ExportFormat::Csv),
                ("txt", ExportFormat::Csv),
                ("tsv", ExportFormat::Tsv),
                ("tab", ExportFormat::Tsv),
                ("tmx", ExportFormat::Tmx),
                ("tbx", ExportFormat::Tbx),
            ],
            ExportFormat::Csv,
            "csv, tsv, tmx, tbx",
        )?,
    };
    match (contents, format) {
        (Contents::Memory, ExportFormat::Tbx) => {
            return Err(Error::new(
                Kind::Input,
                "TBX holds glossaries: use `memoire term export --format tbx`",
            ));
        }
        (Contents::Glossary, ExportFormat::Tmx) => {
            return Err(Error::new(
                Kind::Input,
                "TMX holds translation memories: use `memoire export --format tmx`",
            ));
        }
        _ => {}
    }
    let store = Store::open_read_only(db)?;
    let (out, name) = (&mut dest.out, dest.name.clone());
    let (source, target) = (source_lang.as_str(), target_lang.as_str());
    let guard = !args.no_formula_guard;
    match (contents, format) {
        (Contents::Memory, ExportFormat::Tmx) => {
            export::export_tmx(&store, source, target, out, &name)
        }
        (Contents::Glossary, ExportFormat::Tbx) => {
            export::export_tbx(&store, source, target, out, &name)
        }
        (Contents::Memory, ExportFormat::Tsv) => {
            export::export_pairs(&store, source, target, b'\t', guard, out, &name)
        }
        (Contents::Memory, _) => {
            export::export_pairs(&store, source, target, b',', guard, out, &name)
        }
        (Contents::Glossary, ExportFormat::Tsv) => {
            export::export_terms(&store, source, target, b'\t', guard, out, &name)
        }
        (Contents::Glossary, _) => {
            export::export_terms(&store, source, target, b',', guard, out, &name)
        }
    }?;
    dest.finish()?;
    Ok(ExitCode::SUCCESS)
}

fn lookup(db: &Path, args: LookupArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    if args.text.trim().is_empty() {
        return Err(Error::new(Kind::Input, "give a sentence to look up"));
    }
    let store = Store::open_read_only(db)?;
    let matches = fuzzy::search(
        &store,
        &fuzzy::Query {
            text: &args.text,
            source_lang: &source_lang,
            target_lang: &target_lang,
            threshold: args.threshold,
            limit: args.limit as usize,
            exhaustive: args.exhaustive,
        },
    )?;
    let stdout = &mut io::stdout().lock();
    let out_err = |e: io::Error| Error::io("cannot write", Path::new("<stdout>"), e);
    if args.json {
        serde_json::to_writer_pretty(&mut *stdout, &matches)
            .map_err(|e| Error::io("cannot write", Path::new("<stdout>"), e.into()))?;
        writeln!(stdout).map_err(out_err)?;
    } else if matches.is_empty() {
        eprintln!(
            "no match at {}% or more in {} ({source_lang} → {target_lang})",
            args.threshold,
            memoire::store::shown(db)
        );
        eprint!(
            "{}",
            other_language_pairs(&store, &source_lang, &target_lang)?
        );
    }
    if !args.json {
        let mut nth = 0;
        for (i, m) in matches.iter().enumerate() {
            let same_source = |a: &fuzzy::Match| {
                memoire::text::match_key(&a.pair.source) == memoire::text::match_key(&m.pair.source)
            };
            let first_of_source = i == 0 || !same_source(&matches[i - 1]);
            nth = if first_of_source { 1 } else { nth + 1 };
            if first_of_source {
                writeln!(stdout, "{:>3}%  {}", m.score, m.pair.source).map_err(out_err)?;
                if m.score < 100 {
                    writeln!(stdout, "      diff: {}", m.diff).map_err(out_err)?;
                }
            }
            writeln!(stdout, "      → {}", m.pair.target).map_err(out_err)?;
            if let Some(adjusted) = &m.adjusted_target {
                writeln!(stdout, "      → {adjusted}  (numbers adjusted)").map_err(out_err)?;
            }
            let date = m.pair.changed_at.get(..10).unwrap_or(&m.pair.changed_at);
            let alternatives = if m.alternatives > 1 {
                format!(" · translation {nth} of {}", m.alternatives)
            } else {
                String::new()
            };
            writeln!(stdout, "        {} · {date}{alternatives}", m.pair.origin)
                .map_err(out_err)?;
        }
    }
    Ok(if matches.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// When the memory holds no pair of `source → target` at all, a line
/// naming the language pairs it does hold (a TMX imported as fr → en-gb is
/// not found as fr → en).
fn other_language_pairs(store: &Store, source: &str, target: &str) -> Result<String> {
    if store.has_pairs(source, target)? {
        return Ok(String::new());
    }
    let held: Vec<String> = store
        .language_pairs()?
        .iter()
        .map(|(s, t)| format!("{s} → {t} (--source-lang {s} --target-lang {t})"))
        .collect();
    Ok(if held.is_empty() {
        "the memory holds no pairs yet\n".to_string()
    } else {
        format!(
            "the memory holds no {source} → {target} pairs; it holds {}\n",
            held.join(", ")
        )
    })
}

fn concordance(db: &Path, args: ConcordanceArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    if memoire::text::tokens(&args.phrase).is_empty() {
        return Err(Error::new(
            Kind::Input,
            "give at least one word to look for",
        ));
    }
    let store = Store::open_read_only(db)?;
    let concordance = fuzzy::concordance(
        &store,
        &args.phrase,
        &source_lang,
        &target_lang,
        args.limit as usize,
    )?;
    let found = &concordance.occurrences;
    let stdout = &mut io::stdout().lock();
    let out_err = |e: io::Error| Error::io("cannot write", Path::new("<stdout>"), e);
    if args.json {
        serde_json::to_writer_pretty(&mut *stdout, found)
            .map_err(|e| Error::io("cannot write", Path::new("<stdout>"), e.into()))?;
        writeln!(stdout).map_err(out_err)?;
    } else {
        let (open, close) = if io::stdout().is_terminal() {
            ("\x1b[1;4m", "\x1b[0m")
        } else {
            ("⟦", "⟧")
        };
        for o in found {
            let source = &o.pair.source;
            writeln!(
                stdout,
                "{}{open}{}{close}{}",
                &source[..o.match_start],
                &source[o.match_start..o.match_end],
                &source[o.match_end..]
            )
            .map_err(out_err)?;
            writeln!(stdout, "  → {}", o.pair.target).map_err(out_err)?;
            writeln!(
                stdout,
                "    {} · {}",
                o.pair.origin,
                o.pair.changed_at.get(..10).unwrap_or("")
            )
            .map_err(out_err)?;
        }
        if found.is_empty() {
            eprintln!(
                "{:?} is in no stored source ({source_lang} → {target_lang})",
                args.phrase
            );
        } else if found.len() == args.limit as usize {
            eprintln!("(first {} shown; --limit N for more)", args.limit);
        }
        if !concordance.complete {
            eprintln!(
                "(stopped after examining {} segments holding its rarest word; a more specific phrase finds the rest)",
                fuzzy::CONCORDANCE_SCAN
            );
        }
    }
    Ok(if found.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn remove(db: &Path, args: RemoveArgs) -> Result<ExitCode> {
    let (source_lang, target_lang) = languages(&args.langs)?;
    let mut store = Store::open_existing(db)?;
    let removed = store.remove_pairs_from(&args.origin, &source_lang, &target_lang)?;
    if removed == 0 {
        let origins: Vec<String> = store
            .stats()?
            .origins
            .into_iter()
            .map(|o| format!("{:?}", o.origin))
            .collect();
        eprintln!(
            "no {source_lang} → {target_lang} pair has the origin {:?}; the origins are: {}",
            args.origin,
            if origins.is_empty() {
                "none".to_string()
            } else {
                origins.join(", ")
            }
        );
        return Ok(ExitCode::from(1));
    }
    eprintln!(
        "removed {removed} {source_lang} → {target_lang} pairs of origin {:?}",
        args.origin
    );
    Ok(ExitCode::SUCCESS)
}

fn stats(db: &Path, args: StatsArgs) -> Result<ExitCode> {
    let store = Store::open_read_only(db)?;
    let stats = store.stats()?;
    let stdout = &mut io::stdout().lock();
    let out_err = |e: io::Error| Error::io("cannot write", Path::new("<stdout>"), e);
    if args.json {
        serde_json::to_writer_pretty(&mut *stdout, &stats)
            .map_err(|e| Error::io("cannot write", Path::new("<stdout>"), e.into()))?;
        writeln!(stdout).map_err(out_err)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut text = format!(
        "database  {} ({}, schema version {})\n",
        stats.path,
        human_size(stats.size_bytes),
        stats.schema_version
    );
    if stats.language_pairs.is_empty() {
        text.push_str("no segment pairs yet\n");
    }
    for lp in &stats.language_pairs {
        text.push_str(&format!(
            "{} → {}   {} pairs, {} distinct sources\n",
            lp.source_lang, lp.target_lang, lp.pairs, lp.sources
        ));
    }
    if !stats.origins.is_empty() {
        text.push_str("origins\n");
        let width = stats
            .origins
            .iter()
            .map(|o| o.origin.chars().count())
            .max()
            .unwrap_or(0)
            // A long origin (learnt through the server) is not padded for.
            .min(60);
        for o in &stats.origins {
            text.push_str(&format!(
                "  {:<width$}  {:>9} pairs, last changed {}\n",
                o.origin, o.pairs, o.last_changed
            ));
        }
    }
    text.push_str(&format!("term pairs  {}\n", stats.term_pairs));
    stdout.write_all(text.as_bytes()).map_err(out_err)?;
    Ok(ExitCode::SUCCESS)
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{size:.1} {}", UNITS[unit])
    }
}

/// Read a whole text from a file or standard input: UTF-8, UTF-16 with a
/// byte-order mark, or Windows-1252 (see
/// [`memoire::format::encoding::decode_text`]); the encoding is returned.
pub fn read_text(file: Option<&Path>) -> Result<(String, PathBuf, TextEncoding)> {
    let name = file.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf);
    let mut bytes = Vec::new();
    let read = match file {
        Some(path) => File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)),
        None => io::stdin().lock().read_to_end(&mut bytes),
    };
    read.map_err(|e| Error::io("cannot read", &name, e))?;
    let (text, encoding) = memoire::format::encoding::decode_text(&bytes, &name)?;
    Ok((text, name, encoding))
}

/// One segment as `segment --json` prints it.
#[derive(Serialize)]
struct SegmentLine<'a> {
    paragraph: usize,
    start: usize,
    end: usize,
    text: &'a str,
}

fn segment(args: SegmentArgs) -> Result<ExitCode> {
    let mut segmenter = match args.lang {
        SegmentLang::Fr => Segmenter::french(),
        SegmentLang::En => Segmenter::english(),
    };
    if args.no_headline_split {
        segmenter = segmenter.without_headline_rules();
    }
    if let Some(path) = &args.abbreviations {
        let (rules, ..) = read_text(Some(path))?;
        segmenter = segmenter
            .with_abbreviations(&rules)
            .map_err(|why| Error::new(Kind::Input, why).at(path))?;
    }
    let (text, ..) = read_text(args.file.as_deref())?;
    let out_err = |e: io::Error| Error::io("cannot write", Path::new("<stdout>"), e);
    let mut out = BufWriter::new(io::stdout().lock());
    for paragraph in segmenter.paragraphs(&text) {
        for range in paragraph.sentences {
            if args.json {
                let line = SegmentLine {
                    paragraph: paragraph.number,
                    start: range.start,
                    end: range.end,
                    text: &text[range],
                };
                serde_json::to_writer(&mut out, &line).map_err(|e| out_err(e.into()))?;
                writeln!(out).map_err(out_err)?;
            } else {
                writeln!(out, "{}", &text[range]).map_err(out_err)?;
            }
        }
        if !args.json {
            writeln!(out).map_err(out_err)?;
        }
    }
    out.flush().map_err(out_err)?;
    Ok(ExitCode::SUCCESS)
}
