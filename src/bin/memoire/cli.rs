//! Command-line arguments. Help texts are written for translators.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use memoire::format::csv::{Column, HeaderMode};
use memoire::format::encoding::TextEncoding;

#[derive(Parser, Debug)]
#[command(
    name = "memoire",
    version,
    about = "Translation memory and glossary for translators of French news",
    long_about = "memoire keeps your aligned translations (French → English by default) in one \
                  SQLite file and finds them again.\n\n\
                  The memory lives in --db PATH, else $MEMOIRE_DB, else \
                  $XDG_DATA_HOME/memoire/memoire.db (~/.local/share/memoire/memoire.db). \
                  A desk's memory may live in PostgreSQL instead: give --db \
                  postgres://USER@HOST/DATABASE (an empty database the first time).",
    after_help = "Examples:\n  \
                  memoire import clients/acme-2024.csv\n  \
                  memoire lookup \"Le Conseil fédéral a adopté le message.\"\n  \
                  memoire export -o backup.csv\n  \
                  memoire --db /tmp/test.db stats"
)]
pub struct Cli {
    /// The memory database file, or a PostgreSQL database as
    /// postgres://USER@HOST/DATABASE (a Unix socket:
    /// postgres://USER@/DATABASE?host=/var/run/postgresql; a password in
    /// the URL, best given as $MEMOIRE_DB: ~/.pgpass and $PGPASSWORD are not
    /// read) (default: $MEMOIRE_DB, else the data directory).
    /// Commands that add (import, term add, term import, token add) create
    /// it; the others need it to exist. `migrate` takes --from and --to
    /// instead.
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Import(ImportArgs),
    Export(ExportArgs),
    Lookup(LookupArgs),
    Concordance(ConcordanceArgs),
    Pretranslate(PretranslateArgs),
    Analyze(AnalyzeArgs),
    Term(TermArgs),
    Remove(RemoveArgs),
    Stats(StatsArgs),
    /// Upgrade a memory written by an older memoire to this one's schema.
    ///
    /// Read-only commands (lookup, pretranslate, stats…) never change a
    /// memory; an older one must be upgraded first, by this command or by
    /// any writing command (import, term add, remove). Once upgraded, older
    /// memoire versions can no longer open it. Exit status 0 (upgraded or
    /// already up to date), 2 error.
    Upgrade,
    Segment(SegmentArgs),
    Serve(ServeArgs),
    Token(TokenArgs),
    Migrate(MigrateArgs),
}

/// Copy a whole memory into an empty one: a SQLite file into PostgreSQL
/// when a desk outgrows one machine, or back.
///
/// Every pair (dates, origin, usage count, note, context, inline codes,
/// authors), every glossary term and every server token (the desk's tokens
/// keep working) are copied in one transaction: stopped or failed, the
/// destination is left as it was. The destination must be empty (a new
/// file, or an empty PostgreSQL database); the source is only read. Pair
/// ids are given again in the source's order. --db is not used. Exit
/// status 0, 2 error, 130 stopped by Ctrl-C.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire migrate --from memoire.db --to postgres://memoire@db.desk/memoire\n  \
    memoire migrate --from postgres://memoire@db.desk/memoire --to backup.db")]
pub struct MigrateArgs {
    /// The memory to copy: a file, or postgres://USER@HOST/DATABASE.
    #[arg(long, value_name = "PATH|URL")]
    pub from: PathBuf,
    /// Where to copy it: a new file, or an empty PostgreSQL database.
    #[arg(long, value_name = "PATH|URL")]
    pub to: PathBuf,
}

/// Serve the memory over HTTP: one memory for the whole desk.
///
/// Weblate's and Virtaal's "tmserver" clients, CAT tools, scripts (the JSON
/// API under /api/v1, described at /api/v1/openapi.json) and the desk's web
/// page (at /) all use the same memory, with the same lookups, learning and
/// pre-translation as the commands. Every request needs a token made with
/// `memoire token add` (Authorization: Bearer TOKEN, or the URL prefix
/// /t/TOKEN/ for the tmserver clients, which send no header), except
/// the page itself, /api/v1/health and /api/v1/openapi.json; --open serves
/// without tokens, on a loopback address
/// only. Stops on Ctrl-C or SIGTERM once the requests in flight are done.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire token add anne --role translate        # prints Anne's token, once\n  \
    memoire serve --listen 127.0.0.1:8080          # a desk's server, behind an HTTPS proxy\n  \
    memoire serve --open                           # for yourself, on 127.0.0.1:8080\n  \
    curl -H \"Authorization: Bearer $TOKEN\" 'http://127.0.0.1:8080/api/v1/lookup?q=Bonjour'")]
pub struct ServeArgs {
    /// The address and port to listen on (port 0: any free port;
    /// localhost means 127.0.0.1).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDRESS:PORT")]
    pub listen: String,
    /// No tokens: every caller may do everything. Loopback addresses only.
    #[arg(long)]
    pub open: bool,
    /// Read connections: how many lookups are served at once, 1 to 256
    /// (default: the machine's cores, from 2 to 16; twice that on
    /// PostgreSQL).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub readers: Option<u16>,
    /// The largest upload (a file to import or pre-translate), in MiB.
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub max_upload: usize,
    /// Read the fuzzy index from the database for each lookup instead of
    /// keeping a copy in memory (about 400 MB per million pairs; lookups at
    /// low thresholds are several times slower without it).
    #[arg(long)]
    pub no_warm_index: bool,
    /// Lookups read from this database instead of --db: a streaming
    /// replica of a memory in PostgreSQL (learns and imports still go to
    /// --db, and show in lookups once the replica has them).
    #[arg(long, value_name = "URL")]
    pub read_db: Option<PathBuf>,
}

/// API tokens for `memoire serve`, with their roles.
///
/// Roles: read (lookups, concordance, glossary, pre-translation), translate
/// (read, and learn), admin (translate, and import files). A token is shown
/// once, when it is made; the memory keeps only its SHA-256 hash. Every pair
/// learnt through the server records its token's name (TMX creationid).
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire token add anne --role translate\n  \
    memoire token list\n  \
    memoire token remove anne")]
pub struct TokenArgs {
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Make a token for NAME and print it (once).
    Add {
        /// Who holds it (letters, digits, . - _ @): recorded with what they teach.
        name: String,
        /// read, translate or admin (default read, the least).
        #[arg(long, default_value = "read")]
        role: String,
    },
    /// The tokens' names, roles and dates (never the tokens).
    List,
    /// Remove NAME's token: it stops working at once.
    Remove { name: String },
}

/// Remove the pairs of one origin: undo an import made by mistake.
///
/// Every pair of the language pair whose origin is LABEL (the file name an
/// import gave them, or its --origin) is removed, with its entries in the
/// fuzzy index, in one transaction. `memoire stats` lists the origins.
/// Exit status 1 when no pair has that origin.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire stats                              # the origins and their pairs\n  \
    memoire remove --origin article-fr.txt     # a text file imported as CSV by mistake\n  \
    memoire remove --origin \"Client X 2024\" --target-lang de")]
pub struct RemoveArgs {
    /// The origin label of the pairs to remove.
    #[arg(long, value_name = "LABEL")]
    pub origin: String,

    #[command(flatten)]
    pub langs: LangArgs,
}

/// Languages of the pairs, as codes (fr, en, de, fr-CH…).
#[derive(Args, Debug, Clone)]
pub struct LangArgs {
    /// Language of the source texts.
    #[arg(long, default_value = "fr", value_name = "CODE")]
    pub source_lang: String,
    /// Language of the translations.
    #[arg(long, default_value = "en", value_name = "CODE")]
    pub target_lang: String,
}

/// Import aligned pairs from a CSV, TSV, TMX, reviewed XLIFF or review table
/// (.docx) file, or from a translated document and its original (--aligned).
///
/// TMX 1.1 to 1.4b from any CAT tool (UTF-8 or UTF-16): each unit's source
/// and target language variants are taken (fr-FR, fr-CA and FR all count
/// as fr; --target-lang picks among several targets); inline codes (bpt,
/// ept, ph, it, hi) are kept as the pair's codes; dates, authors
/// (creationid, changeid), usage counts and notes are kept. A unit without
/// both languages is rejected into a rejects TMX.
///
/// A review table written by `memoire pretranslate --format review-docx`
/// and edited in Word: the rows whose status says confirmed are learnt,
/// with their {1}…{/1} codes and the rows numbered before and after as
/// context; a status memoire does not know is rejected with its row.
///
/// XLIFF 2.0 / 1.2 drafts written by `memoire pretranslate`, once reviewed:
/// only confirmed translations are learnt (2.0: state translated, reviewed
/// or final; 1.2: translated, final, signed-off, or approved="yes"), each
/// with its context (previous and next sentence); importing the same
/// reviewed draft again updates those translations instead of adding
/// alternatives. XML must be well-formed: a truncated or malformed file
/// imports nothing.
///
/// Reads the file as spreadsheets and CAT tools write it: comma, semicolon
/// or tab; UTF-8 (with or without BOM), UTF-16 or Windows-1252 (French
/// Excel); quoted cells with line breaks. The header is recognised when it
/// names the columns (source/target, fr/en, fr-CH, French/anglais…);
/// without one, column 1 is the source and column 2 the translation. A
/// column named "origin" labels each row; other columns are ignored.
///
/// Bad rows (missing column, empty cell, unreadable text, a character XML
/// cannot hold, a text over --max-segment-size) are listed as FILE:LINE:
/// reason and copied unchanged to a rejects file, which never overwrites an
/// existing file (--force replaces it); the good rows are imported. The
/// import is all or nothing: interrupted (Ctrl-C, exit status 130), it
/// leaves the memory as it was. Pairs already stored are skipped; a known
/// source with a new translation is kept as an alternative.
///
/// Exit status: 0 every row imported, 1 some rows rejected, 2 error.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire import memory.csv\n  \
    memoire import export-excel.csv --origin \"Client X 2024\"\n  \
    memoire import pairs.txt --delimiter tab --encoding windows-1252\n  \
    memoire import glossaire.csv --source-col Français --target-col 3\n  \
    memoire import de-fr.csv --source-lang de --target-lang fr --strict\n  \
    memoire import review.docx                               # a review table, edited in Word\n  \
    memoire import --aligned article.docx article.en.docx   # a translated document")]
pub struct ImportArgs {
    /// The file to import: CSV/TSV, TMX or XLIFF (memory); CSV/TSV or TBX
    /// (`term import`).
    pub file: PathBuf,

    /// File format (default: from the extension: .tmx, .tbx, .xlf/.xliff,
    /// .docx a memoire review table, else CSV/TSV).
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,

    /// The original of FILE, a translated document (DOCX, ODT, HTML, NITF
    /// or text with the same paragraphs): paragraphs are paired in order,
    /// sentences aligned by length, each pair printed with its confidence;
    /// pairs of low confidence go to the rejects file, not the memory.
    #[arg(long, value_name = "ORIGINAL", conflicts_with = "format")]
    pub aligned: Option<PathBuf>,

    #[command(flatten)]
    pub langs: LangArgs,

    /// Origin label stored with every pair (default: the file name).
    #[arg(long, value_name = "LABEL")]
    pub origin: Option<String>,

    /// Cell separator: comma, semicolon, tab, or one character (default: detected).
    #[arg(long, value_name = "SEP", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Text encoding: utf-8, windows-1252 (latin1), utf-16le, utf-16be (default: detected).
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<TextEncoding>,

    /// Whether the first row is a header.
    #[arg(long, value_enum, default_value_t = HeaderArg::Auto)]
    pub header: HeaderArg,

    /// Source column: a header name or a number counted from 1.
    #[arg(long, value_name = "NAME|N")]
    pub source_col: Option<Column>,

    /// Translation column: a header name or a number counted from 1.
    #[arg(long, value_name = "NAME|N")]
    pub target_col: Option<Column>,

    /// Where to copy rejected rows (default: beside the input, memory.csv →
    /// memory.rejects.csv). An existing file there is never overwritten:
    /// the import stops before it starts, unless --force is given.
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,

    /// Replace a file already at the rejects path (a rejects file from an
    /// earlier import). Never the input or the memory.
    #[arg(long)]
    pub force: bool,

    /// Longest source or target text accepted, in bytes (K and M suffixes:
    /// 64K, 1M); a longer one is rejected with its line.
    #[arg(long, value_name = "SIZE", default_value = "64K", value_parser = parse_size)]
    pub max_segment_size: usize,

    /// Import nothing if any row is bad; stop at the first one.
    #[arg(long)]
    pub strict: bool,

    /// Print only errors and rejected rows, no summary.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum HeaderArg {
    Auto,
    Yes,
    No,
}

impl From<HeaderArg> for HeaderMode {
    fn from(arg: HeaderArg) -> Self {
        match arg {
            HeaderArg::Auto => HeaderMode::Auto,
            HeaderArg::Yes => HeaderMode::Yes,
            HeaderArg::No => HeaderMode::No,
        }
    }
}

/// `65536`, `64K`, `64KiB`, `1M` → bytes.
fn parse_size(s: &str) -> Result<usize, String> {
    let lower = s.trim().to_ascii_lowercase();
    let lower = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, unit) = match lower.strip_suffix('k') {
        Some(d) => (d, 1024),
        None => match lower.strip_suffix('m') {
            Some(d) => (d, 1024 * 1024),
            None => (lower, 1),
        },
    };
    match digits.trim().parse::<usize>() {
        Ok(n) if n > 0 => n.checked_mul(unit).ok_or_else(|| "too large".to_string()),
        _ => Err("use a number of bytes, or K or M: 64K, 1M".to_string()),
    }
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s.to_ascii_lowercase().as_str() {
        "comma" | "," => Ok(b','),
        "semicolon" | ";" => Ok(b';'),
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "pipe" | "|" => Ok(b'|'),
        "\"" | "\r" | "\n" => Err("a quote or a line break cannot separate cells".to_string()),
        other if other.len() == 1 && other.is_ascii() => Ok(other.as_bytes()[0]),
        _ => Err("use comma, semicolon, tab, pipe or a single ASCII character".to_string()),
    }
}

/// Write the memory as CSV, TSV (UTF-8) or TMX 1.4b, to a file or
/// standard output.
///
/// CSV/TSV columns are the language codes and the origin (e.g.
/// fr,en,origin); TMX keeps dates, usage counts and notes. Both import back
/// unchanged with `memoire import`. For the glossary, `memoire term export`
/// writes CSV, TSV or TBX.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire export -o backup.csv\n  \
    memoire export --format tsv | less\n  \
    memoire export -o memory.tmx\n  \
    memoire export --source-lang fr --target-lang de -o fr-de.csv")]
pub struct ExportArgs {
    /// File format (default: from the -o extension, else csv).
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,

    /// Output file (default: standard output). Written to a temporary file
    /// beside it and renamed into place when complete.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// CSV/TSV: write cells as they are. By default a cell starting with
    /// = + - @, a tab or a carriage return gets a leading ' so that Excel or
    /// LibreOffice cannot run it as a formula; `memoire import` removes it.
    #[arg(long)]
    pub no_formula_guard: bool,

    #[command(flatten)]
    pub langs: LangArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Tsv,
    /// TMX 1.4b (`export` only).
    Tmx,
    /// TBX-Basic (`term export` only).
    Tbx,
}

/// Formats `import` and `term import` read (default: from the extension).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// CSV or TSV (delimiter detected).
    Csv,
    Tsv,
    /// TMX 1.1–1.4b (`import` only).
    Tmx,
    /// TBX 2 / TBX-Basic / TBX v3 (`term import` only).
    Tbx,
    /// XLIFF 2.0 / 1.2, a reviewed draft (`import` only).
    Xliff,
}

impl From<ImportFormat> for memoire::import::Format {
    fn from(format: ImportFormat) -> Self {
        match format {
            ImportFormat::Csv | ImportFormat::Tsv => memoire::import::Format::Csv,
            ImportFormat::Tmx => memoire::import::Format::Tmx,
            ImportFormat::Tbx => memoire::import::Format::Tbx,
            ImportFormat::Xliff => memoire::import::Format::Xliff,
        }
    }
}

/// Find stored translations of a sentence: exact and fuzzy matches.
///
/// Scores, as in CAT tools: 100 = identical once spacing, French no-break
/// spaces, ’/' and « »/" are normalised; 95–99 = only case, accents,
/// numbers or punctuation differ; below = words were inserted, deleted or
/// replaced (score = 100 × (1 − edits ÷ words of the longer sentence), a
/// case, number or punctuation change counting 0.2 of a word).
///
/// Each match shows what differs from your sentence ([-old-]{+new+}), its
/// origin and date, and how many translations its source has (all are
/// listed, most recent first). When only numbers differ, the translation is
/// also offered with your numbers in English notation (10’000 → 10,000;
/// 3,5 → 3.5). The index finds every match at or above the threshold; it
/// never guesses. Exit status 1 when nothing is found.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire lookup \"Le Conseil fédéral a adopté le message.\"\n  \
    memoire lookup --threshold 60 --limit 10 \"La séance aura lieu mercredi à Berne.\"\n  \
    memoire lookup --json \"L'OTSC s'est réunie à Almaty.\"")]
pub struct LookupArgs {
    /// The sentence to look up.
    pub text: String,

    #[command(flatten)]
    pub langs: LangArgs,

    /// Lowest score shown, 50–100.
    #[arg(long, default_value_t = 75, value_parser = clap::value_parser!(u8).range(50..=100))]
    pub threshold: u8,

    /// Most sources shown (all translations of each are shown).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,

    /// Score every stored segment instead of using the index (slow; for checking).
    #[arg(long)]
    pub exhaustive: bool,

    /// Print a JSON array of matches (score, source, target, origin, diff, …).
    #[arg(long)]
    pub json: bool,
}

/// Find how a word or phrase was translated before.
///
/// Lists stored pairs whose source contains the words of PHRASE one after
/// the other, whatever their case and accents (Etat finds État) and the
/// punctuation between them; numbers must be written the same. The most
/// recently added come first; the phrase is marked in the source.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire concordance \"Conseil fédéral\"\n  \
    memoire concordance --limit 50 \"état de droit\"\n  \
    memoire concordance --json OTSC")]
pub struct ConcordanceArgs {
    /// The word or phrase to look for.
    pub phrase: String,

    #[command(flatten)]
    pub langs: LangArgs,

    /// Most pairs shown.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,

    /// Print a JSON array (source, target, origin, match_start, match_end, …).
    #[arg(long)]
    pub json: bool,
}

/// Show what the memory holds: pairs per language pair, origins, size.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire stats\n  \
    memoire --db ~/clients/acme.db stats --json")]
pub struct StatsArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Split text into sentences, the way a careful translator would.
///
/// Reads UTF-8 text from FILE or standard input. Every line is a paragraph
/// and a line break always ends a segment, so headlines, datelines and
/// bylines stay on their own. Within a line, French rules know titles and
/// abbreviations (M., Mme, art., etc., J.-C.), initials, numbers (10’000,
/// 3,5 %, 14 h 30), web addresses, « guillemets » with the question or
/// exclamation inside, no-break spaces before ; : ! ? and ellipses.
///
/// Prints each segment on its own line and an empty line after each
/// paragraph; --json prints one JSON object per segment with its paragraph
/// (line) number and byte offsets into the input.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire segment article.txt\n  \
    echo \"M. Rey est arrivé. « Pourquoi ? » a-t-il demandé.\" | memoire segment\n  \
    memoire segment --lang en translation.txt\n  \
    memoire segment --abbreviations mes-abreviations.txt --json article.txt\n\n\
    Abbreviations file: one per line, # for comments. A bare entry (\"consid.\")\n\
    never ends a sentence; \"S.A. *\" ends one only before a word that usually\n\
    starts a sentence (Le, Il, Elle…); \"etc. +\" before any capitalised word.\n\
    Sections [abbreviations] (the default) and [starters] (capitalised words\n\
    that usually start a sentence) may be given.")]
pub struct SegmentArgs {
    /// The text to segment (default: standard input).
    pub file: Option<PathBuf>,

    /// Language of the text: fr (default) or en.
    #[arg(long, value_enum, default_value_t = SegmentLang::Fr)]
    pub lang: SegmentLang,

    /// Extra abbreviations and rules, added to the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub abbreviations: Option<PathBuf>,

    /// Print JSON Lines: paragraph, start and end byte offsets, text.
    #[arg(long)]
    pub json: bool,

    /// Split on punctuation and line breaks only: keep a headline run into
    /// its lede, a rubric before a dash (« Diplomatie – »), a metadata
    /// prefix (« date 2022-01 ») and a credit (« AFP ») with their text.
    /// To keep just one name or title whole, list it under
    /// `[headline exceptions]` in an --abbreviations file instead.
    #[arg(long)]
    pub no_headline_split: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentLang {
    Fr,
    En,
}

/// The glossary: term pairs (names, institutions, titles, vocabulary).
///
/// A new memory starts with memoire's French–English news glossary (set
/// MEMOIRE_NO_GLOSSARY=1 before creating it to start empty, or remove it
/// later with `memoire term remove --origin "memoire fr-en news glossary"`).
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire term lookup OTSC\n  \
    memoire term find article.txt\n  \
    memoire term add \"Conseil fédéral\" \"Federal Council\"\n  \
    memoire term export -o glossaire.tbx")]
pub struct TermArgs {
    #[command(subcommand)]
    pub command: TermCommand,
}

#[derive(Subcommand, Debug)]
pub enum TermCommand {
    Add(TermAddArgs),
    /// Import term pairs from a CSV, TSV or TBX file.
    #[command(
        long_about = "Import term pairs from a CSV, TSV or TBX file.\n\n\
            CSV/TSV are read like memory imports (delimiter, encoding and header \
            detected, bad rows reported as FILE:LINE and copied to a rejects file, one \
            transaction), with optional columns named domain, note, status (preferred, \
            admitted, forbidden), origin, pos (noun, verb, adj, name, phrase) and checked \
            (the month the entry was checked, YYYY-MM). TBX 2 / TBX-Basic and TBX v3 are \
            read with their administrativeStatus, subjectField, partOfSpeech and notes. \
            The same pair imported again takes the domain, note, status, pos and date \
            the file gives, and keeps those it does not give (a column it lacks, an \
            empty cell).",
        after_help = "Examples:\n  \
            memoire term import termes.csv\n  \
            memoire term import glossaire.tbx\n  \
            memoire term import noms.csv --source-col Français --target-col English"
    )]
    Import(ImportArgs),
    /// Write the glossary as CSV, TSV or TBX-Basic.
    #[command(
        long_about = "Write the glossary as CSV, TSV (columns fr,en,domain,note,status,origin) \
            or TBX-Basic (--format tbx or a .tbx file name), to a file or standard output. \
            Both import back with `memoire term import`.",
        after_help = "Examples:\n  \
            memoire term export -o glossaire.csv\n  \
            memoire term export -o glossaire.tbx"
    )]
    Export(ExportArgs),
    List(TermListArgs),
    Remove(TermRemoveArgs),
    Lookup(TermLookupArgs),
    Find(TermFindArgs),
}

/// Add one term pair (a second target for the same source is kept too).
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire term add \"Conseil fédéral\" \"Federal Council\" --domain institution-ch\n  \
    memoire term add actuellement actually --status forbidden --note \"false friend: currently\"")]
pub struct TermAddArgs {
    pub source: String,
    pub target: String,
    #[command(flatten)]
    pub langs: LangArgs,
    /// Subject field (organisation, person, law, economy…).
    #[arg(long)]
    pub domain: Option<String>,
    /// A note for translators.
    #[arg(long)]
    pub note: Option<String>,
    /// preferred (the default for a new pair), admitted, or forbidden (a
    /// translation not to use). On an existing pair, what is not given is kept.
    #[arg(long)]
    pub status: Option<memoire::store::TermStatus>,
    /// Part of speech of the source: noun, verb, adj, name or phrase. A
    /// noun is recognised in its singular and plural only, after a
    /// determiner, a preposition or a number (so that « commune » in « une
    /// conférence de presse commune » is not the municipality); a verb in
    /// its conjugated forms (« saluer » finds « a salué », « salue »).
    #[arg(long, value_parser = ["noun", "verb", "adj", "name", "phrase"])]
    pub pos: Option<String>,
}

/// List the glossary's term pairs.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire term list --domain person\n  \
    memoire term list --status forbidden --json")]
pub struct TermListArgs {
    #[command(flatten)]
    pub langs: LangArgs,
    /// Only this domain.
    #[arg(long)]
    pub domain: Option<String>,
    /// Only this status.
    #[arg(long)]
    pub status: Option<memoire::store::TermStatus>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Remove term pairs: one source (all its targets, or one), or everything
/// from one origin.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire term remove \"Conseil fédéral\" \"Federal Counsel\"\n  \
    memoire term remove --origin \"memoire fr-en news glossary\"")]
pub struct TermRemoveArgs {
    /// The source term.
    #[arg(required_unless_present = "origin")]
    pub source: Option<String>,
    /// Only the pair with this target.
    pub target: Option<String>,
    #[command(flatten)]
    pub langs: LangArgs,
    /// Remove every term pair imported with this origin label instead.
    #[arg(long, conflicts_with_all = ["source", "target"])]
    pub origin: Option<String>,
}

/// Look up a term: exact, any case or accents, inflected forms, part of a
/// longer term, or a similar spelling (names transliterated differently).
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire term lookup OTSC\n  \
    memoire term lookup Choigou\n  \
    memoire term lookup réfugiées\n  \
    memoire term lookup --reverse \"State Department\"")]
pub struct TermLookupArgs {
    pub text: String,
    #[command(flatten)]
    pub langs: LangArgs,
    /// Look up from the translation side (English → French by default).
    #[arg(long)]
    pub reverse: bool,
    /// Most entries shown.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// List the glossary terms in a text, sentence by sentence, with their
/// equivalents: what to check before translating. Exit status 1 when the
/// text holds none.
///
/// Terms are found whatever their case and accents (Etat / État), in
/// inflected forms (des réfugiées → réfugié), after elided articles (l'OTSC,
/// d'Almaty), and across no-break spaces and line breaks; the longest term
/// wins. Acronyms must be in capitals and one-word names capitalised.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire term find article.txt\n  \
    memoire term find --text \"Le président Tokaïev a reçu l'OTSC à Almaty.\"\n  \
    memoire term find --json article.txt")]
pub struct TermFindArgs {
    /// The text (default: standard input).
    #[arg(conflicts_with = "text")]
    pub file: Option<PathBuf>,
    /// The text itself, instead of a file.
    #[arg(long)]
    pub text: Option<String>,
    #[command(flatten)]
    pub langs: LangArgs,
    /// Print JSON: segments with their terms, spans and entries.
    #[arg(long)]
    pub json: bool,
}

/// Pre-translate an article: a draft holding everything the memory and the
/// glossary already know, or the article itself translated.
///
/// The article is a plain-text file (one paragraph per line; UTF-8, UTF-16
/// or Windows-1252), an HTML page, a Word (.docx) or OpenDocument (.odt)
/// file, or a NITF / NewsML-G2 wire file (.xml), picked by its extension or
/// --input-format. Each sentence is looked up: repetitions of an earlier
/// sentence of the article, 101 % (exact, and the previous sentence matches
/// too), 100 %, then fuzzy. The best translation at or above --threshold
/// is filled in (numbers carried over when only numbers differ; bold,
/// links and other inline formatting placed as the memory placed them);
/// glossary terms are listed with their equivalents, and a filled
/// translation that lacks a term's equivalent or uses a forbidden one is
/// flagged. The match analysis goes to stderr.
///
/// Formats: document (the article itself, translated, in its own format:
/// the default when -o has the article's extension; sentences left
/// untranslated are marked), xliff (XLIFF 2.0, default, for CAT tools),
/// xliff1 (XLIFF 1.2), csv / tsv (bilingual table; --bom for Excel),
/// review-docx (the same table as a Word file, as Trados and memoQ export
/// it for reviewers), json,
/// text (the English draft; untranslated sentences stay in French between
/// [[ ]]), html (a report to open in a browser). Once reviewed, `memoire
/// import` the XLIFF or the table back: the memory learns the translations
/// and their context.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire pretranslate article.txt -o article.xlf\n  \
    memoire pretranslate article.html -o article.en.html   # the page, translated\n  \
    memoire pretranslate article.txt --format html -o report.html\n  \
    memoire pretranslate article.txt --format csv --bom -o article.csv\n  \
    memoire pretranslate article.txt --format text --threshold 85\n  \
    memoire import article.xlf        # after review: the memory learns")]
pub struct PretranslateArgs {
    /// The article: text, HTML, DOCX, ODT, NITF or NewsML-G2.
    pub article: PathBuf,

    /// The article's format (default: from its extension; text otherwise).
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,

    /// Output file (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format (default: from the -o extension, else xliff).
    #[arg(long, value_enum)]
    pub format: Option<DraftFormat>,

    /// Lowest score filled into the draft, 50–100.
    #[arg(long, default_value_t = 75, value_parser = clap::value_parser!(u8).range(50..=100))]
    pub threshold: u8,

    /// Start CSV/TSV with a UTF-8 byte-order mark (for Excel).
    #[arg(long)]
    pub bom: bool,

    /// CSV/TSV: write cells as they are, without the leading ' that keeps a
    /// spreadsheet from running a cell starting with = + - @ as a formula.
    #[arg(long)]
    pub no_formula_guard: bool,

    /// Do not split headlines run into their lede, rubrics, metadata
    /// prefixes and credits (see `memoire segment --help`).
    #[arg(long)]
    pub no_headline_split: bool,

    /// Weights of the payable total, per band: rep, internal, 101, 100, 95,
    /// 85, 75, 50, new (default rep=0.1,internal=0.6,101=0,100=0.1,95=0.3,
    /// 85=0.6,75=0.6,50=1,new=1; bands left out keep theirs).
    #[arg(
        long,
        value_name = "BAND=W,…",
        default_value = "",
        hide_default_value = true
    )]
    pub weights: memoire::pretranslate::Weights,

    #[command(flatten)]
    pub langs: LangArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Plain text, one paragraph per line.
    Text,
    Html,
    Docx,
    Odt,
    /// NITF or NewsML-G2.
    News,
}

impl InputFormat {
    pub fn doc_format(self) -> memoire::document::DocFormat {
        use memoire::document::DocFormat;
        match self {
            InputFormat::Text => DocFormat::Text,
            InputFormat::Html => DocFormat::Html,
            InputFormat::Docx => DocFormat::Docx,
            InputFormat::Odt => DocFormat::Odt,
            InputFormat::News => DocFormat::News,
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftFormat {
    /// The article itself, translated, in its own format.
    Document,
    /// A bilingual review table in a Word file (#, source, target, score,
    /// status, comment), learnt back by `memoire import`.
    ReviewDocx,
    /// XLIFF 2.0.
    Xliff,
    /// XLIFF 1.2.
    Xliff1,
    Csv,
    Tsv,
    Json,
    Text,
    Html,
}

/// The match analysis translators quote from: segments, words, characters
/// and weighted words per band (repetitions, internal fuzzy, 101 %, 100 %,
/// 95–99, 85–94, 75–84, 50–74, no match), per file and in total. Words are
/// counted as Trados counts them (see the README).
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  \
    memoire analyze article.txt\n  \
    memoire analyze *.txt --csv > analysis.csv")]
pub struct AnalyzeArgs {
    /// Articles: text, HTML, DOCX, ODT, NITF or NewsML-G2 (by extension).
    #[arg(required = true)]
    pub articles: Vec<PathBuf>,

    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,

    /// Print CSV: file, band, segments, words, characters, weight, weighted
    /// words.
    #[arg(long)]
    pub csv: bool,

    /// Do not split headlines run into their lede, rubrics, metadata
    /// prefixes and credits (see `memoire segment --help`).
    #[arg(long)]
    pub no_headline_split: bool,

    /// Weights of the payable total, per band: rep, internal, 101, 100, 95,
    /// 85, 75, 50, new (default rep=0.1,internal=0.6,101=0,100=0.1,95=0.3,
    /// 85=0.6,75=0.6,50=1,new=1; bands left out keep theirs).
    #[arg(
        long,
        value_name = "BAND=W,…",
        default_value = "",
        hide_default_value = true
    )]
    pub weights: memoire::pretranslate::Weights,

    #[command(flatten)]
    pub langs: LangArgs,
}
