//! The SQLite store: every SQL statement memoire runs lives here.
//!
//! One file holds the whole memory. It is opened in WAL mode with a long
//! busy timeout, so readers never block and a second writer waits for the
//! first instead of failing. The schema is versioned with
//! `PRAGMA user_version` and upgraded in place by [`MIGRATIONS`]; a file
//! stamped with our `application_id` but a newer version is refused.
//!
//! ## Tables
//! * `segment_pair` — one aligned pair per row: language codes, source and
//!   target as given (NFC), the exact-match key of the source when it differs
//!   from the source (`source_key`, else NULL), the key's 64-bit hash
//!   (`key_hash`, indexed), origin, created/changed timestamps (UTC,
//!   ISO 8601), usage count, and the previous/next source segment as context
//!   (NULL until pre-translation learns them). The same source with another
//!   target is an alternative translation: a second row. An identical pair
//!   (same languages, same source key, same target key) is never stored twice;
//!   that rule is enforced by [`ImportBatch::add`] inside the import
//!   transaction, through the hash index, rather than by a UNIQUE index over
//!   both texts, which would double the file size.
//! * `term_pair` — glossary entries: source, target, domain, note, status
//!   (preferred, admitted, forbidden), origin; one row per languages,
//!   source and target.
//! * `fuzzy_term`, `fuzzy_block`, `fuzzy_doc` — the fuzzy index (see
//!   [`crate::fuzzy`]): folded terms with their document frequency, postings
//!   by term and source length in words, and each source's term ids in
//!   order.
//!   Maintained by every import; rebuilt by a migration whenever the
//!   tokenizer or the folding changes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::auth::{Role, User};
use crate::error::{Error, Kind, Result};
use crate::text;

use super::IndexBuffer;
use super::{
    Added, Known, LanguagePairCount, NewPair, NewTerm, OriginCount, PairRecord, Prepared, Seed,
    Stats, Step, StoredCodes, Term, TermAdded, TermFields, TermStatus, decide, decode_ids,
    encode_ids, same_file,
};

/// `PRAGMA application_id` of a memoire database ("MEMO").
const APPLICATION_ID: i32 = 0x4d45_4d4f;

/// How long a process waits for another one's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(600);

/// A schema migration: SQL, then optionally code (to fill new tables).
struct Migration {
    sql: &'static str,
    then: Option<fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>>,
}

/// Schema migrations: entry `i` upgrades a database from version `i` to
/// `i + 1`. Append only; never edit a released entry.
const MIGRATIONS: &[Migration] = &[
    // 1: segment pairs and term pairs.
    Migration {
        sql: "CREATE TABLE segment_pair (
        id          INTEGER PRIMARY KEY,
        source_lang TEXT NOT NULL,
        target_lang TEXT NOT NULL,
        source      TEXT NOT NULL,
        target      TEXT NOT NULL,
        source_key  TEXT,
        key_hash    INTEGER NOT NULL,
        origin      TEXT NOT NULL,
        prev_source TEXT,
        next_source TEXT,
        created_at  TEXT NOT NULL,
        changed_at  TEXT NOT NULL,
        usage_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX segment_pair_key ON segment_pair (key_hash);
    CREATE TABLE term_pair (
        id          INTEGER PRIMARY KEY,
        source_lang TEXT NOT NULL,
        target_lang TEXT NOT NULL,
        source      TEXT NOT NULL,
        target      TEXT NOT NULL,
        domain      TEXT,
        note        TEXT,
        status      TEXT NOT NULL DEFAULT 'preferred'
                    CHECK (status IN ('preferred', 'admitted', 'forbidden')),
        origin      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        changed_at  TEXT NOT NULL
    );
    CREATE INDEX term_pair_source ON term_pair (source_lang, target_lang, source);",
        then: None,
    },
    // 2: the fuzzy index (see `fuzzy`): folded terms with their document
    // frequency, postings by term and source length, and each source's
    // multiset of term ids for the count filter. Filled for existing pairs.
    Migration {
        sql: "CREATE TABLE fuzzy_term (
        id   INTEGER PRIMARY KEY,
        term TEXT NOT NULL UNIQUE,
        df   INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE fuzzy_posting (
        term_id INTEGER NOT NULL,
        words   INTEGER NOT NULL,
        pair_id INTEGER NOT NULL,
        PRIMARY KEY (term_id, words, pair_id)
    ) WITHOUT ROWID;
    CREATE TABLE fuzzy_doc (
        pair_id INTEGER PRIMARY KEY,
        terms   BLOB NOT NULL
    );",
        // (Filled by migration 11, which every upgrade reaches.)
        then: None,
    },
    // 3: a term pair is stored once per language pair, source and target.
    Migration {
        sql: "CREATE UNIQUE INDEX term_pair_unique
              ON term_pair (source_lang, target_lang, source, target);",
        then: None,
    },
    // 4: notes on segment pairs (TMX notes and props).
    Migration {
        sql: "ALTER TABLE segment_pair ADD COLUMN note TEXT;",
        then: None,
    },
    // 5: the tokenizer and folding changed (numbers with spaces, every
    // apostrophe, ligatures, zero-width characters): rebuild the index.
    Migration {
        sql: "DELETE FROM fuzzy_posting; DELETE FROM fuzzy_doc; DELETE FROM fuzzy_term;",
        then: None, // rebuilt by migration 11
    },
    // 6: glossary entries get a part of speech (recognition rules) and the
    // date they were last checked (office-holders age).
    Migration {
        sql: "ALTER TABLE term_pair ADD COLUMN pos TEXT;
              ALTER TABLE term_pair ADD COLUMN checked TEXT;",
        then: None,
    },
    // 7: inline codes of a pair's source and target (JSON, see
    // `text::coded`); NULL when it has none.
    Migration {
        sql: "ALTER TABLE segment_pair ADD COLUMN codes TEXT;",
        then: None,
    },
    // 8: who added and who last changed a pair (TMX creationid/changeid,
    // the user of `memoire serve`), and the server's API tokens, stored
    // as SHA-256 hashes.
    Migration {
        sql: "ALTER TABLE segment_pair ADD COLUMN created_by TEXT;
              ALTER TABLE segment_pair ADD COLUMN changed_by TEXT;
              CREATE TABLE api_token (
                  id         INTEGER PRIMARY KEY,
                  name       TEXT NOT NULL UNIQUE,
                  role       TEXT NOT NULL CHECK (role IN ('read', 'translate', 'admin')),
                  hash       TEXT NOT NULL UNIQUE,
                  created_at TEXT NOT NULL
              );",
        then: None,
    },
    // 9: a counter of removals from the fuzzy index, so that a copy of the
    // index kept in memory (`memoire serve`) knows when to read it again.
    Migration {
        sql: "CREATE TABLE index_epoch (epoch INTEGER NOT NULL);
              INSERT INTO index_epoch VALUES (0);",
        then: None,
    },
    // 10: `fuzzy_doc` keeps a source's term ids in the source's order (the
    // search bounds a score by the longest common subsequence): rebuild
    // the index, and tell an index kept in memory to read it again.
    Migration {
        sql: "DELETE FROM fuzzy_posting; DELETE FROM fuzzy_doc; DELETE FROM fuzzy_term;
              UPDATE index_epoch SET epoch = epoch + 1;",
        then: None, // rebuilt by migration 11
    },
    // 11: posting lists in blocks, up to a few hundred pairs a row, each
    // pair with how often its source holds the term (see `encode_block`):
    // a search reads a list in a few rows instead of a row a pair, and
    // bounds each candidate by those counts. Rebuild the index.
    Migration {
        sql: "DROP TABLE fuzzy_posting;
              CREATE TABLE fuzzy_block (
                  term_id  INTEGER NOT NULL,
                  words    INTEGER NOT NULL,
                  first    INTEGER NOT NULL,
                  postings BLOB NOT NULL,
                  PRIMARY KEY (term_id, words, first)
              ) WITHOUT ROWID;
              DELETE FROM fuzzy_doc; DELETE FROM fuzzy_term;
              UPDATE index_epoch SET epoch = epoch + 1;",
        then: Some(index_existing_pairs),
    },
];

/// Migration 2: index every pair already stored.
fn index_existing_pairs(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut indexer = Indexer::default();
    let mut stmt = tx.prepare("SELECT id, source FROM segment_pair ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let source: String = row.get(1)?;
        indexer.add(tx, row.get(0)?, &source)?;
    }
    indexer.flush(tx)
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The current UTC time as SQLite formats it (`2026-11-23T10:15:00Z`).
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

/// An open memoire database.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// This open created the schema: the file is a new memory.
    created: bool,
    upgraded_from: Option<i64>,
}

/// Turn a SQLite failure into a library error that says what to do.
fn db_error(path: &Path, doing: &str, err: rusqlite::Error) -> Error {
    let (kind, message) = match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
            if crate::interrupt::requested() =>
        {
            (Kind::Interrupted, format!("{doing}: interrupted"))
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => (
            Kind::Busy,
            format!(
                "{doing}: the database is locked by another memoire process \
                 (waited {} s); try again when it has finished",
                BUSY_TIMEOUT.as_secs()
            ),
        ),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => (
            Kind::Corrupt,
            format!(
                "{doing}: this file is not a memoire database or it is damaged; \
                 check the --db path or restore a backup"
            ),
        ),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied | ErrorCode::ReadOnly) => (
            Kind::Io,
            format!(
                "{doing}: cannot open or write the database; check the path and its permissions"
            ),
        ),
        Some(ErrorCode::DiskFull) => (Kind::Io, format!("{doing}: the disk is full")),
        _ => (Kind::Database, doing.to_string()),
    };
    Error::new(kind, message).at(path).caused_by(err)
}

/// What the first bytes of a database file say, read without writing.
struct Header {
    application_id: i32,
    objects: i64,
    version: i64,
}

impl Header {
    /// A file with no schema at all: SQLite's empty database, or the
    /// remains of a creation that was killed before it committed.
    fn is_blank(&self) -> bool {
        self.application_id == 0 && self.objects == 0 && self.version == 0
    }
}

fn newer_schema(path: &Path, version: i64) -> Error {
    Error::new(
        Kind::NewerSchema,
        format!(
            "this database was written by a newer memoire (schema version {version}; \
             this memoire knows up to {SCHEMA_VERSION}); upgrade memoire to use it"
        ),
    )
    .at(path)
}

fn no_memory_yet(path: &Path) -> Error {
    Error::new(
        Kind::Input,
        "no memory here yet; import one first with `memoire import FILE.csv`",
    )
    .at(path)
}

/// A memory to read or change must be there: a missing path or an empty
/// file (`touch memoire.db`) is not a memory.
fn check_exists(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Err(_) => Err(no_memory_yet(path)),
        Ok(m) if m.is_dir() => Err(Error::new(
            Kind::Input,
            "this is a folder, not a memory: give the database file with --db",
        )
        .at(path)),
        Ok(m) if m.len() == 0 => Err(Error::new(
            Kind::Corrupt,
            "this file is empty: it is not a memoire database (check the --db path)",
        )
        .at(path)),
        Ok(_) => Ok(()),
    }
}

/// The header values of an open connection, from one snapshot.
fn header_of(conn: &Connection) -> rusqlite::Result<Header> {
    conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id),
                (SELECT count(*) FROM sqlite_schema),
                (SELECT user_version FROM pragma_user_version)",
        [],
        |r| {
            Ok(Header {
                application_id: r.get(0)?,
                objects: r.get(1)?,
                version: r.get(2)?,
            })
        },
    )
}

/// Open `path` read-only. A memory in a read-only folder cannot get the
/// shared-memory file WAL mode needs: it is then opened as immutable (no
/// one can be writing to it there).
fn open_ro(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI;
    let plain =
        Connection::open_with_flags(path, flags).and_then(|conn| header_of(&conn).map(|_| conn));
    match plain {
        Ok(conn) => Ok(conn),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly | ErrorCode::PermissionDenied)
            ) =>
        {
            // Immutable mode does not read the write-ahead log: with one
            // that holds changes, it would show the memory without them.
            let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let mut wal = real.into_os_string();
            wal.push("-wal");
            if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
                return Err(Error::new(
                    Kind::Io,
                    format!(
                        "this memory has recent changes in {} that cannot be read without \
                         write access to its folder: ask its owner to run any memoire command \
                         on it, which folds them in, or copy the memory with that file to a \
                         folder you can write",
                        Path::new(&wal).display()
                    ),
                )
                .at(path));
            }
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Connection::open_with_flags(uri, flags)
                .map_err(|e| db_error(path, "cannot open the database", e))
        }
        Err(e) => Err(db_error(path, "cannot read the database", e)),
    }
}

/// Is `path` the database at `db` or one of its companion files (`-wal`,
/// `-shm`, `-journal`), even one that does not exist yet? Writing there
/// would destroy the memory.
pub fn is_own_file(db: &Path, path: &Path) -> bool {
    // SQLite names its companion files after the database's real path
    // (symlinks resolved): check both that and the path as given.
    let given = db.to_path_buf();
    let real = std::fs::canonicalize(db).ok();
    [Some(&given), real.as_ref()]
        .into_iter()
        .flatten()
        .any(|base| {
            ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
                let mut own = base.clone().into_os_string();
                own.push(suffix);
                let own = Path::new(&own);
                same_file(path, own) || same_path(path, own)
            })
        })
}

/// Do two paths name the same place, the second existing or not (its
/// folder resolved)?
fn same_path(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| -> Option<PathBuf> {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
    };
    matches!((resolve(a), resolve(b)), (Some(a), Some(b)) if a == b)
}

/// A path as the path part of an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for byte in absolute.to_string_lossy().bytes() {
        match byte {
            b'?' | b'#' | b'%' => out.push_str(&format!("%{byte:02X}")),
            _ => out.push(byte as char),
        }
    }
    out
}

/// The header of the file at `path`, read through a read-only connection
/// (which never writes, not even a checkpoint when it closes).
fn read_header(path: &Path) -> Result<Header> {
    let conn = open_ro(path)?;
    header_of(&conn).map_err(|e| db_error(path, "cannot read the database", e))
}

/// Refuse a file that memoire did not write, or that a newer memoire did.
fn check_header(path: &Path, header: &Header) -> Result<()> {
    if header.application_id != APPLICATION_ID && !header.is_blank() {
        return Err(Error::new(
            Kind::Corrupt,
            "this SQLite file was not made by memoire; refusing to change it \
             (check the --db path)",
        )
        .at(path));
    }
    if header.version > SCHEMA_VERSION {
        return Err(newer_schema(path, header.version));
    }
    Ok(())
}

/// The busy handler of every connection: wait for another process's write
/// lock up to [`BUSY_TIMEOUT`], saying so once, and stop at Ctrl-C.
fn wait_for_lock(attempt: i32) -> bool {
    const STEP: Duration = Duration::from_millis(50);
    if attempt == 0 {
        crate::interrupt::waiting();
    }
    if crate::interrupt::requested() || STEP * attempt as u32 >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(STEP);
    true
}

impl SqliteStore {
    /// Open the database at `path` for writing, creating it if needed (its
    /// folder must exist), and bring its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        SqliteStore::create_or_open(path, None)
    }

    /// Like [`SqliteStore::open`]; a memory created by this call gets `seed` in
    /// the same transaction as its schema.
    pub fn create_or_open(path: &Path, seed: Option<Seed<'_>>) -> Result<SqliteStore> {
        // A file written by a newer memoire, or not by memoire at all, is
        // refused before anything could write to it (not even the journal
        // mode, which lives in the file's header).
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            let header = read_header(path)?;
            check_header(path, &header)?;
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(Error::new(
                Kind::Input,
                "the folder of the memory does not exist (a typo in --db?); create it first",
            )
            .at(dir));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| db_error(path, "cannot open the database", e))?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            created: false,
            upgraded_from: None,
        };
        store.configure()?;
        store.migrate(MIGRATIONS.len(), seed)?;
        Ok(store)
    }

    /// Open an existing memory for writing (`term remove`): a missing or
    /// empty file is an error, not a new memory.
    pub fn open_existing(path: &Path) -> Result<SqliteStore> {
        check_exists(path)?;
        SqliteStore::open(path)
    }

    /// Open an existing memory to read it: lookups, exports, drafts. Never
    /// writes to it, so a read-only file or folder (a shared reference
    /// memory) works; a memory of an older memoire is upgraded first when
    /// it can be written.
    pub fn open_read_only(path: &Path) -> Result<SqliteStore> {
        check_exists(path)?;
        let header = read_header(path)?;
        check_header(path, &header)?;
        if header.is_blank() {
            return Err(no_memory_yet(path));
        }
        if header.version < SCHEMA_VERSION {
            // A read-only command never changes the file: upgrading it would
            // lock out colleagues still on the older memoire.
            return Err(Error::new(
                Kind::OlderSchema,
                format!(
                    "this memory was written by an older memoire (schema version {}; this one \
                     uses {SCHEMA_VERSION}), and read-only commands leave it as it is: upgrade it \
                     with `memoire --db {} upgrade` (older memoire versions can then no longer \
                     open it; a large memory takes about a minute per million pairs)",
                    header.version,
                    super::shown_for_shell(path)
                ),
            )
            .at(path));
        }
        let conn = open_ro(path)?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            created: false,
            upgraded_from: None,
        };
        store.configure_reader()?;
        Ok(store)
    }

    /// A statement of no rows (BEGIN, COMMIT), kept prepared.
    fn run_cached(&self, sql: &str) -> rusqlite::Result<()> {
        self.conn.prepare_cached(sql)?.execute([]).map(drop)
    }

    /// [`rusqlite::Connection::query_row`], the statement kept prepared:
    /// for those a server runs at every request.
    fn cached_row<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.conn.prepare_cached(sql)?.query_row(params, f)
    }

    fn err(&self, doing: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
        let doing = doing.to_string();
        move |e| db_error(&self.path, &doing, e)
    }

    /// Settings of every connection: wait for another writer (saying so,
    /// and giving up on Ctrl-C), a large page cache.
    fn configure_reader(&mut self) -> Result<()> {
        self.conn
            .busy_handler(Some(wait_for_lock as fn(i32) -> bool))
            .and_then(|()| self.conn.execute_batch("PRAGMA cache_size = -65536;"))
            // The plan of a statement never depends on the values bound
            // to it: otherwise SQLite 3.53 plans a statement with an
            // ORDER BY and a `column = ?` again at every run (the lookup
            // by match key was prepared anew at each lookup, 8 % of a
            // busy server's time). Plans here never needed the values.
            .and_then(|()| {
                self.conn
                    .set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
                    .map(drop)
            })
            .map_err(self.err("cannot configure the database"))?;
        // A lookup runs a score of statements (begin, index state, terms,
        // sources, pairs, commit): all kept prepared, or a server parses
        // them again at every request (the default keeps 16).
        self.conn.set_prepared_statement_cache_capacity(64);
        Ok(())
    }

    fn configure(&mut self) -> Result<()> {
        self.configure_reader()?;
        // The first read of the file: this is where a non-database fails.
        let header = header_of(&self.conn).map_err(self.err("cannot read the database"))?;
        check_header(&self.path, &header)?;
        // SQLite answers "busy" here without calling the busy handler when
        // another process holds the new file's lock (two imports started
        // at once on a new memory, seen in CI): waited for the same way.
        let mut attempt = 0;
        let mode: String = loop {
            match self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if matches!(
                        e.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    ) && wait_for_lock(attempt) =>
                {
                    attempt += 1;
                }
                other => {
                    break other.map_err(self.err("cannot switch the database to WAL mode"))?;
                }
            }
        };
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::new(
                Kind::Database,
                format!("cannot switch the database to WAL mode (it stays in {mode} mode)"),
            )
            .at(&self.path));
        }
        self.conn
            .execute_batch("PRAGMA synchronous = NORMAL;")
            .map_err(self.err("cannot configure the database"))?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when this open created the memory (a new, empty file).
    /// The schema version this memory had when this open upgraded it.
    pub fn upgraded_from(&self) -> Option<i64> {
        self.upgraded_from
    }

    pub fn created(&self) -> bool {
        self.created
    }

    /// The schema version stored in the file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err("cannot read the schema version"))
    }

    /// Apply the migrations the file lacks, up to version `target`, all in
    /// one transaction; a new memory gets `seed` in that same transaction.
    /// Running it again is a no-op. The version is read inside the write
    /// transaction, so two processes opening a new file at once do not both
    /// migrate it.
    fn migrate(&mut self, target: usize, seed: Option<Seed<'_>>) -> Result<()> {
        // Up to date: no write transaction, so a lookup never waits for an
        // import.
        if self.schema_version()? == target as i64 {
            return Ok(());
        }
        let doing = "cannot upgrade the database schema";
        let fail = |e| db_error(&self.path, doing, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let version: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(fail)?;
        if version > SCHEMA_VERSION {
            return Err(newer_schema(&self.path, version));
        }
        for (index, migration) in MIGRATIONS
            .iter()
            .enumerate()
            .take(target)
            .skip(version as usize)
        {
            let doing = format!(
                "cannot upgrade the database to schema version {}",
                index + 1
            );
            tx.execute_batch(migration.sql)
                .and_then(|()| migration.then.map_or(Ok(()), |fill| fill(&tx)))
                .map_err(|e| db_error(&self.path, &doing, e))?;
        }
        let created = version == 0;
        if !created && (version as usize) < target {
            self.upgraded_from = Some(version);
        }
        if (version as usize) < target {
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .and_then(|()| tx.pragma_update(None, "user_version", target as i64))
                .map_err(fail)?;
        }
        match seed.filter(|_| created) {
            Some(seed) => {
                let now: String = tx
                    .query_row(&format!("SELECT {NOW}"), [], |r| r.get(0))
                    .map_err(fail)?;
                let mut batch = super::TermBatch::Sqlite(TermBatch {
                    tx,
                    path: self.path.clone(),
                    now,
                });
                seed(&mut batch)?;
                batch.commit()?;
            }
            None => tx.commit().map_err(fail)?,
        }
        self.created = created;
        Ok(())
    }

    /// Start an import: one write transaction that holds until
    /// [`ImportBatch::commit`]. Dropping the batch, a crash or `kill -9`
    /// leaves the store exactly as it was.
    pub fn begin_import(&mut self) -> Result<ImportBatch<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error(&path, "cannot start the import", e))?;
        let now: String = tx
            .query_row(&format!("SELECT {NOW}"), [], |r| r.get(0))
            .map_err(|e| db_error(&path, "cannot start the import", e))?;
        Ok(ImportBatch {
            tx,
            path,
            now,
            indexer: Indexer::default(),
        })
    }

    /// Every stored translation of `text` (exact match after normalisation),
    /// most recently changed first.
    pub fn exact(
        &self,
        source_lang: &str,
        target_lang: &str,
        text: &str,
    ) -> Result<Vec<PairRecord>> {
        let key = text::match_key(text);
        let mut stmt = self
            .conn
            .prepare_cached(EXACT)
            .map_err(self.err("cannot look up the memory"))?;
        let rows = stmt
            .query_map(
                params![text::key_hash(&key), source_lang, target_lang, key],
                pair_record,
            )
            .map_err(self.err("cannot look up the memory"))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(self.err("cannot look up the memory"))
    }

    /// Call `each` on every stored pair of the given language pair (all
    /// pairs when a language is `None`), in the order they were added.
    pub fn for_each_pair(
        &self,
        source_lang: Option<&str>,
        target_lang: Option<&str>,
        mut each: impl FnMut(&PairRecord) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, source_lang, target_lang, source, target, origin,
                        created_at, changed_at, usage_count, note, prev_source, next_source, codes,
                        created_by, changed_by
                 FROM segment_pair
                 WHERE (?1 IS NULL OR source_lang = ?1) AND (?2 IS NULL OR target_lang = ?2)
                 ORDER BY id",
            )
            .map_err(self.err("cannot read the memory"))?;
        let mut rows = stmt
            .query(params![source_lang, target_lang])
            .map_err(self.err("cannot read the memory"))?;
        while let Some(row) = rows.next().map_err(self.err("cannot read the memory"))? {
            let record = pair_record(row).map_err(self.err("cannot read the memory"))?;
            each(&record)?;
        }
        Ok(())
    }

    /// Does the memory hold any pair of `source_lang` → `target_lang`?
    /// Quick when it does (the first rows tell).
    pub fn has_pairs(&self, source_lang: &str, target_lang: &str) -> Result<bool> {
        self.cached_row(
            "SELECT EXISTS (SELECT 1 FROM segment_pair
                                WHERE source_lang = ?1 AND target_lang = ?2)",
            [source_lang, target_lang],
            |r| r.get(0),
        )
        .map_err(self.err("cannot read the memory"))
    }

    /// The language pairs the memory holds (source, target).
    pub fn language_pairs(&self) -> Result<Vec<(String, String)>> {
        self.conn
            .prepare_cached(
                "SELECT DISTINCT source_lang, target_lang FROM segment_pair ORDER BY 1, 2",
            )
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(self.err("cannot read the memory"))
    }

    /// The highest pair id in use (0 for an empty memory).
    pub fn max_pair_id(&self) -> Result<i64> {
        self.cached_row("SELECT coalesce(max(id), 0) FROM segment_pair", [], |r| {
            r.get(0)
        })
        .map_err(self.err("cannot read the memory"))
    }

    /// One stored pair by id.
    pub fn pair(&self, id: i64) -> Result<Option<PairRecord>> {
        self.conn
            .prepare_cached(
                "SELECT id, source_lang, target_lang, source, target, origin,
                        created_at, changed_at, usage_count, note, prev_source, next_source, codes,
                        created_by, changed_by
                 FROM segment_pair WHERE id = ?1",
            )
            .and_then(|mut stmt| stmt.query_row([id], pair_record).optional())
            .map_err(self.err("cannot read the memory"))
    }

    /// A pair's source, when the pair exists and is of this language pair.
    pub fn source_of(
        &self,
        id: i64,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<Option<String>> {
        self.conn
            .prepare_cached(
                "SELECT source FROM segment_pair
                 WHERE id = ?1 AND source_lang = ?2 AND target_lang = ?3",
            )
            .and_then(|mut stmt| {
                stmt.query_row(params![id, source_lang, target_lang], |r| r.get(0))
                    .optional()
            })
            .map_err(self.err("cannot read the memory"))
    }

    /// For each fuzzy-index term: its id and how many sources hold it, or
    /// `None` when no stored source does.
    pub fn term_stats(&self, terms: &[&str]) -> Result<Vec<Option<(i64, i64)>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, df FROM fuzzy_term WHERE term = ?1")
            .map_err(self.err("cannot read the fuzzy index"))?;
        terms
            .iter()
            .map(|term| {
                stmt.query_row([term], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
                    .map_err(self.err("cannot read the fuzzy index"))
            })
            .collect()
    }

    /// Run `f` inside one read transaction (one snapshot, and no lock
    /// taken and released for each statement), unless one is open already.
    pub fn in_read_transaction<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return f();
        }
        self.run_cached("BEGIN DEFERRED")
            .map_err(self.err("cannot read the memory"))?;
        let out = f();
        // A read transaction has nothing to keep: ending it cannot lose
        // anything, and its error matters less than `f`'s.
        let ended = self.run_cached("COMMIT");
        if out.is_err() || ended.is_err() {
            // Never left open: later reads would skip their BEGIN and see
            // this snapshot for good.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        match (out, ended) {
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) => Err(db_error(&self.path, "cannot read the memory", e)),
            (Err(e), _) => Err(e),
        }
    }

    /// How many times pairs were removed from the fuzzy index (see
    /// migration 9).
    pub fn index_epoch(&self) -> Result<i64> {
        self.cached_row("SELECT coalesce(max(epoch), 0) FROM index_epoch", [], |r| {
            r.get(0)
        })
        .map_err(self.err("cannot read the fuzzy index"))
    }

    /// The highest pair id in the fuzzy index.
    pub fn max_indexed_pair(&self) -> Result<i64> {
        self.cached_row("SELECT coalesce(max(pair_id), 0) FROM fuzzy_doc", [], |r| {
            r.get(0)
        })
        .map_err(self.err("cannot read the fuzzy index"))
    }

    /// The removal counter and the highest indexed pair, in one statement
    /// (a warm search asks at every lookup).
    pub fn index_state(&self) -> Result<(i64, i64)> {
        self.cached_row(
            "SELECT (SELECT coalesce(max(epoch), 0) FROM index_epoch),
                    (SELECT coalesce(max(pair_id), 0) FROM fuzzy_doc)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(self.err("cannot read the fuzzy index"))
    }

    /// Every posting, in the index's order: term id, source length in
    /// words, pair id.
    pub fn for_each_posting(&self, mut f: impl FnMut(i64, i64, i64)) -> Result<()> {
        let fail = "cannot read the fuzzy index";
        let mut stmt = self
            .conn
            .prepare("SELECT term_id, words, first, postings FROM fuzzy_block")
            .map_err(self.err(fail))?;
        let mut rows = stmt.query([]).map_err(self.err(fail))?;
        while let Some(row) = rows.next().map_err(self.err(fail))? {
            let (term, words): (i64, i64) = (
                row.get(0).map_err(self.err(fail))?,
                row.get(1).map_err(self.err(fail))?,
            );
            let bytes = row.get_ref(3).and_then(block_bytes);
            decode_block(
                row.get(2).map_err(self.err(fail))?,
                bytes.map_err(self.err(fail))?,
                |pair, _| f(term, words, pair),
            )
            .map_err(self.err(fail))?;
        }
        Ok(())
    }

    /// The term ids of every pair after `after` in the fuzzy index, in id
    /// order.
    pub fn for_each_doc_after(&self, after: i64, mut f: impl FnMut(i64, Vec<i64>)) -> Result<()> {
        let fail = "cannot read the fuzzy index";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT pair_id, terms FROM fuzzy_doc WHERE pair_id > ?1 ORDER BY pair_id",
            )
            .map_err(self.err(fail))?;
        let mut rows = stmt.query([after]).map_err(self.err(fail))?;
        while let Some(row) = rows.next().map_err(self.err(fail))? {
            let blob: Vec<u8> = row.get(1).map_err(self.err(fail))?;
            f(row.get(0).map_err(self.err(fail))?, decode_ids(&blob));
        }
        Ok(())
    }

    /// Every pair after `after`, in id order: id, languages and source.
    pub fn for_each_source_after(
        &self,
        after: i64,
        mut f: impl FnMut(i64, &str, &str, &str),
    ) -> Result<()> {
        let fail = "cannot read the memory";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, source_lang, target_lang, source FROM segment_pair
                 WHERE id > ?1 ORDER BY id",
            )
            .map_err(self.err(fail))?;
        let mut rows = stmt.query([after]).map_err(self.err(fail))?;
        while let Some(row) = rows.next().map_err(self.err(fail))? {
            let text = |i: usize| -> Result<String> { row.get(i).map_err(self.err(fail)) };
            f(
                row.get(0).map_err(self.err(fail))?,
                &text(1)?,
                &text(2)?,
                &text(3)?,
            );
        }
        Ok(())
    }

    /// Every term of the fuzzy index after `after`, by id: id and text.
    pub fn for_each_term_after(&self, after: i64, mut f: impl FnMut(i64, &str)) -> Result<()> {
        let fail = "cannot read the fuzzy index";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, term FROM fuzzy_term WHERE id > ?1 ORDER BY id")
            .map_err(self.err(fail))?;
        let mut rows = stmt.query([after]).map_err(self.err(fail))?;
        while let Some(row) = rows.next().map_err(self.err(fail))? {
            let term: String = row.get(1).map_err(self.err(fail))?;
            f(row.get(0).map_err(self.err(fail))?, &term);
        }
        Ok(())
    }

    /// Ids of the pairs whose source holds `term_id` and has `words` words.
    pub fn postings(&self, term_id: i64, words: usize) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        self.each_posting_of(term_id, Some(words), |pair, _| ids.push(pair))?;
        Ok(ids)
    }

    /// [`SqliteStore::postings`] with how often each source holds the term,
    /// added to `out` (the fuzzy index's form).
    pub(crate) fn postings_into(
        &self,
        term_id: i64,
        words: usize,
        out: &mut crate::fuzzy::Postings,
    ) -> Result<()> {
        self.each_posting_of(term_id, Some(words), |pair, count| {
            if let Ok(pair) = u32::try_from(pair) {
                out.push(pair, count);
            }
        })
    }

    /// Ids of the pairs whose source holds `term_id`, whatever its length,
    /// in increasing order.
    pub fn postings_any_length(&self, term_id: i64) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        self.each_posting_of(term_id, None, |pair, _| ids.push(pair))?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// The postings of `term_id` (of sources of `words` words, or of any
    /// length): pair id and how often its source holds the term.
    fn each_posting_of(
        &self,
        term_id: i64,
        words: Option<usize>,
        mut f: impl FnMut(i64, u32),
    ) -> Result<()> {
        let fail = "cannot read the fuzzy index";
        // (Two statements: one with `?2 IS NULL OR words = ?2` searched
        // the primary key by term only, every length's blocks.)
        let mut stmt = match words {
            Some(_) => self.conn.prepare_cached(
                "SELECT first, postings FROM fuzzy_block WHERE term_id = ?1 AND words = ?2",
            ),
            None => self
                .conn
                .prepare_cached("SELECT first, postings FROM fuzzy_block WHERE term_id = ?1"),
        }
        .map_err(self.err(fail))?;
        let mut rows = match words {
            Some(words) => stmt.query(params![term_id, words as i64]),
            None => stmt.query(params![term_id]),
        }
        .map_err(self.err(fail))?;
        while let Some(row) = rows.next().map_err(self.err(fail))? {
            let first: i64 = row.get(0).map_err(self.err(fail))?;
            let bytes = row.get_ref(1).and_then(block_bytes);
            decode_block(first, bytes.map_err(self.err(fail))?, &mut f).map_err(self.err(fail))?;
        }
        Ok(())
    }

    /// The term ids of a pair's source, in the source's order.
    pub fn pair_terms(&self, pair_id: i64) -> Result<Vec<i64>> {
        let blob: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT terms FROM fuzzy_doc WHERE pair_id = ?1")
            .and_then(|mut stmt| stmt.query_row([pair_id], |r| r.get(0)).optional())
            .map_err(self.err("cannot read the fuzzy index"))?;
        Ok(blob.map(|b| decode_ids(&b)).unwrap_or_default())
    }

    /// Remove every pair of a language pair that came from `origin` (an
    /// import made by mistake), with its entries in the fuzzy index, in one
    /// transaction. Returns how many pairs were removed.
    pub fn remove_pairs_from(
        &mut self,
        origin: &str,
        source_lang: &str,
        target_lang: &str,
    ) -> Result<u64> {
        let path = self.path.clone();
        let fail = |e| db_error(&path, "cannot remove pairs", e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let pairs: Vec<(i64, String)> = tx
            .prepare(
                "SELECT id, source FROM segment_pair
                 WHERE origin = ?1 AND source_lang = ?2 AND target_lang = ?3",
            )
            .and_then(|mut stmt| {
                stmt.query_map([origin, source_lang, target_lang], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?
                .collect()
            })
            .map_err(fail)?;
        // A batch of pairs at a time: their postings are taken out list by
        // list, each block rewritten once (not once a posting), and the
        // document frequencies changed once a term.
        for batch in pairs.chunks(50_000) {
            let mut postings: Vec<(i64, i64, i64)> = Vec::new();
            let mut df: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
            for (id, source) in batch {
                // The postings are keyed by term, length in words and pair,
                // as `Indexer::add` wrote them.
                let words = crate::fuzzy::index_terms(source).len() as i64;
                let blob: Option<Vec<u8>> = tx
                    .prepare_cached("SELECT terms FROM fuzzy_doc WHERE pair_id = ?1")
                    .and_then(|mut stmt| stmt.query_row([id], |r| r.get(0)).optional())
                    .map_err(fail)?;
                let mut terms = blob.map(|b| decode_ids(&b)).unwrap_or_default();
                terms.sort_unstable();
                terms.dedup();
                for term in terms {
                    postings.push((term, words, *id));
                    *df.entry(term).or_default() += 1;
                }
                tx.prepare_cached("DELETE FROM fuzzy_doc WHERE pair_id = ?1")
                    .and_then(|mut stmt| stmt.execute([id]))
                    .and_then(|_| {
                        tx.prepare_cached("DELETE FROM segment_pair WHERE id = ?1")?
                            .execute([id])
                    })
                    .map_err(fail)?;
            }
            postings.sort_unstable();
            let mut ids: Vec<i64> = Vec::new();
            for list in postings.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
                ids.clear();
                ids.extend(list.iter().map(|&(_, _, id)| id));
                remove_postings(&tx, list[0].0, list[0].1, &ids).map_err(fail)?;
            }
            for (term, n) in df {
                tx.prepare_cached("UPDATE fuzzy_term SET df = df - ?2 WHERE id = ?1")
                    .and_then(|mut stmt| stmt.execute([term, n]))
                    .map_err(fail)?;
            }
        }
        if !pairs.is_empty() {
            tx.execute("UPDATE index_epoch SET epoch = epoch + 1", [])
                .map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        Ok(pairs.len() as u64)
    }

    /// Start adding glossary terms: one write transaction, like an import.
    pub fn begin_terms(&mut self) -> Result<TermBatch<'_>> {
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error(&path, "cannot start adding terms", e))?;
        let now: String = tx
            .query_row(&format!("SELECT {NOW}"), [], |r| r.get(0))
            .map_err(|e| db_error(&path, "cannot start adding terms", e))?;
        Ok(TermBatch { tx, path, now })
    }

    /// Every term pair of a language pair, in the order they were added.
    pub fn terms(&self, source_lang: &str, target_lang: &str) -> Result<Vec<Term>> {
        self.conn
            .prepare_cached(
                "SELECT id, source_lang, target_lang, source, target, domain, note, status, origin,
                        pos, checked
                 FROM term_pair WHERE source_lang = ?1 AND target_lang = ?2 ORDER BY id",
            )
            .and_then(|mut stmt| {
                stmt.query_map([source_lang, target_lang], |r| {
                    let status: String = r.get(7)?;
                    Ok(Term {
                        id: r.get(0)?,
                        source_lang: r.get(1)?,
                        target_lang: r.get(2)?,
                        source: r.get(3)?,
                        target: r.get(4)?,
                        domain: r.get(5)?,
                        note: r.get(6)?,
                        status: status.parse().unwrap_or(TermStatus::Preferred),
                        origin: r.get(8)?,
                        pos: r.get(9)?,
                        checked: r.get(10)?,
                    })
                })?
                .collect()
            })
            .map_err(self.err("cannot read the glossary"))
    }

    /// Remove the term pairs of `source` (only the one with `target`, if
    /// given); returns how many were removed.
    pub fn remove_terms(
        &mut self,
        source_lang: &str,
        target_lang: &str,
        source: &str,
        target: Option<&str>,
    ) -> Result<usize> {
        self.conn
            .execute(
                "DELETE FROM term_pair WHERE source_lang = ?1 AND target_lang = ?2
                 AND source = ?3 AND (?4 IS NULL OR target = ?4)",
                params![
                    source_lang,
                    target_lang,
                    text::nfc(source),
                    target.map(text::nfc)
                ],
            )
            .map_err(self.err("cannot remove terms"))
    }

    /// Remove every term pair that came from `origin`.
    pub fn remove_terms_from(&mut self, origin: &str) -> Result<usize> {
        self.conn
            .execute("DELETE FROM term_pair WHERE origin = ?1", [origin])
            .map_err(self.err("cannot remove terms"))
    }

    /// Record a server user's token (its hash, see [`crate::auth`]).
    pub fn add_user(&mut self, name: &str, role: Role, hash: &str) -> Result<()> {
        crate::auth::check_user_name(name)?;
        if self.user_named(name)?.is_some() {
            return Err(Error::new(
                Kind::Input,
                format!("a token named {name:?} exists; remove it first or pick another name"),
            ));
        }
        self.conn
            .execute(
                &format!(
                    "INSERT INTO api_token (name, role, hash, created_at) VALUES (?1, ?2, ?3, {NOW})"
                ),
                params![name, role.as_str(), hash],
            )
            .map(|_| ())
            .map_err(self.err("cannot store the token"))
    }

    /// The language pairs the glossary holds (source, target).
    pub fn term_languages(&self) -> Result<Vec<(String, String)>> {
        self.conn
            .prepare("SELECT DISTINCT source_lang, target_lang FROM term_pair ORDER BY 1, 2")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(self.err("cannot read the glossary"))
    }

    /// Every user with the hash of their token (`memoire migrate`).
    pub fn tokens(&self) -> Result<Vec<(User, String)>> {
        let fail = "cannot read the tokens";
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, created_at, hash FROM api_token ORDER BY id")
            .map_err(self.err(fail))?;
        stmt.query_map([], |r| {
            let role: String = r.get(1)?;
            Ok((
                User {
                    name: r.get(0)?,
                    role: Role::parse(&role).unwrap_or(Role::Read),
                    created_at: r.get(2)?,
                },
                r.get(3)?,
            ))
        })
        .and_then(|rows| rows.collect())
        .map_err(self.err(fail))
    }

    /// The server's users, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        self.query_users(
            "SELECT name, role, created_at FROM api_token ORDER BY name",
            [],
        )
    }

    fn user_named(&self, name: &str) -> Result<Option<User>> {
        Ok(self
            .query_users(
                "SELECT name, role, created_at FROM api_token WHERE name = ?1",
                [name],
            )?
            .pop())
    }

    /// The user a token (by its hash) belongs to.
    pub fn user_by_token_hash(&self, hash: &str) -> Result<Option<User>> {
        Ok(self
            .query_users(
                "SELECT name, role, created_at FROM api_token WHERE hash = ?1",
                [hash],
            )?
            .pop())
    }

    fn query_users(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<User>> {
        let fail = "cannot read the tokens";
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err(fail))?;
        stmt.query_map(params, |r| {
            let role: String = r.get(1)?;
            Ok(User {
                name: r.get(0)?,
                role: Role::parse(&role).unwrap_or(Role::Read),
                created_at: r.get(2)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(self.err(fail))
    }

    /// Remove a user's token; false when there is none of that name.
    pub fn remove_user(&mut self, name: &str) -> Result<bool> {
        self.conn
            .execute("DELETE FROM api_token WHERE name = ?1", [name])
            .map(|n| n > 0)
            .map_err(self.err("cannot remove the token"))
    }

    /// Counts per language pair and origin, term pairs, and file size.
    pub fn stats(&self) -> Result<Stats> {
        let fail = "cannot count the memory";
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source_lang, target_lang, count(*), count(DISTINCT key_hash)
                 FROM segment_pair GROUP BY source_lang, target_lang ORDER BY 3 DESC",
            )
            .map_err(self.err(fail))?;
        let language_pairs = stmt
            .query_map([], |r| {
                Ok(LanguagePairCount {
                    source_lang: r.get(0)?,
                    target_lang: r.get(1)?,
                    pairs: r.get(2)?,
                    sources: r.get(3)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err(fail))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT origin, count(*), max(changed_at) FROM segment_pair
                 GROUP BY origin ORDER BY 2 DESC, 1",
            )
            .map_err(self.err(fail))?;
        let origins = stmt
            .query_map([], |r| {
                Ok(OriginCount {
                    origin: r.get(0)?,
                    pairs: r.get(1)?,
                    last_changed: r.get(2)?,
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(self.err(fail))?;
        let term_pairs = self
            .conn
            .query_row("SELECT count(*) FROM term_pair", [], |r| r.get(0))
            .map_err(self.err(fail))?;
        Ok(Stats {
            path: self.path().display().to_string(),
            schema_version: self.schema_version()?,
            language_pairs,
            origins,
            term_pairs,
            size_bytes: self.size_bytes(),
        })
    }

    /// Is `path` the database or one of its companion files (`-wal`,
    /// `-shm`, `-journal`), even one that does not exist yet? Writing there
    /// would destroy the memory.
    pub fn is_own_file(&self, path: &Path) -> bool {
        is_own_file(&self.path, path)
    }

    /// Size on disk of the database and its write-ahead log.
    pub fn size_bytes(&self) -> u64 {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        [self.path.as_os_str(), wal.as_os_str()]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Copy the write-ahead log back into the database file and truncate it,
    /// so that a large import does not leave a log as big as the memory —
    /// without ever waiting: while another process reads (`memoire export |
    /// less`) or writes, SQLite copies what it can and the rest waits for a
    /// later checkpoint.
    pub fn checkpoint(&mut self) {
        if self.conn.busy_timeout(Duration::ZERO).is_ok() {
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        let _ = self
            .conn
            .busy_handler(Some(wait_for_lock as fn(i32) -> bool));
    }
}

impl super::Pairs for SqliteStore {
    fn exact(&self, source_lang: &str, target_lang: &str, text: &str) -> Result<Vec<PairRecord>> {
        SqliteStore::exact(self, source_lang, target_lang, text)
    }

    fn pair(&self, id: i64) -> Result<Option<PairRecord>> {
        SqliteStore::pair(self, id)
    }

    fn source_of(&self, id: i64, source_lang: &str, target_lang: &str) -> Result<Option<String>> {
        SqliteStore::source_of(self, id, source_lang, target_lang)
    }

    fn each_pair(
        &self,
        source_lang: Option<&str>,
        target_lang: Option<&str>,
        each: &mut dyn FnMut(&PairRecord) -> Result<()>,
    ) -> Result<()> {
        SqliteStore::for_each_pair(self, source_lang, target_lang, each)
    }

    fn read_snapshot(&self, f: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        self.in_read_transaction(f)
    }
}

/// The pairs whose source has a match key (`exact`), newest first.
const EXACT: &str = "SELECT id, source_lang, target_lang, source, target, origin,
        created_at, changed_at, usage_count, note, prev_source, next_source, codes,
        created_by, changed_by
    FROM segment_pair
    WHERE key_hash = ?1 AND source_lang = ?2 AND target_lang = ?3
      AND coalesce(source_key, source) = ?4
    ORDER BY changed_at DESC, id DESC";

fn pair_record(row: &rusqlite::Row<'_>) -> rusqlite::Result<PairRecord> {
    Ok(PairRecord {
        id: row.get(0)?,
        source_lang: row.get(1)?,
        target_lang: row.get(2)?,
        source: row.get(3)?,
        target: row.get(4)?,
        origin: row.get(5)?,
        created_at: row.get(6)?,
        changed_at: row.get(7)?,
        usage_count: row.get(8)?,
        note: row.get(9)?,
        prev_source: row.get(10)?,
        next_source: row.get(11)?,
        source_codes: Vec::new(),
        target_codes: Vec::new(),
        created_by: row.get(13)?,
        changed_by: row.get(14)?,
    })
    .and_then(|mut record| {
        if let Some(json) = row.get::<_, Option<String>>(12)? {
            let codes: StoredCodes = serde_json::from_str(&json).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    12,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
            record.source_codes = codes.source;
            record.target_codes = codes.target;
        }
        Ok(record)
    })
}

/// An import in progress: one write transaction.
pub struct ImportBatch<'a> {
    tx: rusqlite::Transaction<'a>,
    path: PathBuf,
    now: String,
    indexer: Indexer,
}

impl ImportBatch<'_> {
    /// Pairs, term pairs and tokens the memory holds, read in this
    /// transaction (`memoire migrate` checks its destination is empty
    /// under the write lock).
    pub fn holdings(&self) -> Result<(i64, i64, i64)> {
        self.tx
            .query_row(
                "SELECT (SELECT count(*) FROM segment_pair), (SELECT count(*) FROM term_pair),
                        (SELECT count(*) FROM api_token)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(self.err("cannot read the memory"))
    }

    /// A glossary term in the same transaction (`memoire migrate`).
    pub fn add_term(&mut self, term: &NewTerm<'_>) -> Result<TermAdded> {
        add_term(&mut self.tx, &self.path, &self.now, term)
    }

    /// A server user's token, with the date it was made, in the same
    /// transaction (`memoire migrate`).
    pub fn add_token(&mut self, user: &User, hash: &str) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO api_token (name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![user.name, user.role.as_str(), hash, user.created_at],
            )
            .map(drop)
            .map_err(|e| db_error(&self.path, "cannot store a token", e))
    }

    fn err(&self, doing: &'static str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
        move |e| db_error(&self.path, doing, e)
    }

    /// Add one pair unless the identical pair is already stored (see
    /// [`super::decide`]).
    pub fn add(&mut self, pair: &NewPair<'_>) -> Result<Added> {
        let new = Prepared::new(pair);
        let known: Vec<Known> = self
            .tx
            .prepare_cached(
                "SELECT id, target, origin, prev_source, next_source, codes FROM segment_pair
                 WHERE key_hash = ?1 AND source_lang = ?2 AND target_lang = ?3
                   AND coalesce(source_key, source) = ?4",
            )
            .and_then(|mut stmt| {
                stmt.query_map(
                    params![new.hash, pair.source_lang, pair.target_lang, new.source_key],
                    |r| {
                        Ok(Known {
                            id: r.get(0)?,
                            target: r.get(1)?,
                            origin: r.get(2)?,
                            prev: r.get(3)?,
                            next: r.get(4)?,
                            codes: r.get(5)?,
                        })
                    },
                )?
                .collect()
            })
            .map_err(self.err("cannot check for duplicates"))?;
        let (step, added) = decide(pair, &new, &known);
        match step {
            Step::Nothing => {}
            Step::Change {
                id,
                context,
                target,
                codes,
            } => {
                if context || target {
                    self.set_context(id, pair, &new, target.then_some(new.target.as_str()))?;
                }
                if codes {
                    self.set_codes(id, new.codes.as_deref())?;
                }
            }
            Step::Insert => self.insert(pair, &new)?,
        }
        Ok(added)
    }

    fn insert(&mut self, pair: &NewPair<'_>, new: &Prepared) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO segment_pair
                   (source_lang, target_lang, source, target, source_key, key_hash,
                    origin, created_at, changed_at, usage_count, note, prev_source, next_source,
                    codes, created_by, changed_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )
            .and_then(|mut insert| {
                let created = pair.created_at.unwrap_or(&self.now);
                insert.execute(params![
                    pair.source_lang,
                    pair.target_lang,
                    new.source,
                    new.target,
                    new.stored_key(),
                    new.hash,
                    pair.origin,
                    created,
                    pair.changed_at.unwrap_or(created),
                    pair.usage_count.unwrap_or(0),
                    pair.note,
                    new.prev,
                    new.next,
                    new.codes,
                    pair.created_by,
                    pair.changed_by.or(pair.created_by)
                ])
            })
            .map_err(self.err("cannot store a pair"))?;
        let id = self.tx.last_insert_rowid();
        self.indexer
            .add(&self.tx, id, &new.source)
            .map_err(|e| db_error(&self.path, "cannot index a pair", e))
    }

    /// Store a pair's context (and a new target, when given).
    fn set_context(
        &self,
        id: i64,
        pair: &NewPair<'_>,
        new: &Prepared,
        target: Option<&str>,
    ) -> Result<()> {
        self.tx
            .execute(
                "UPDATE segment_pair SET prev_source = ?2, next_source = ?3, changed_at = ?4,
                    target = coalesce(?5, target), changed_by = coalesce(?6, changed_by)
                 WHERE id = ?1",
                params![
                    id,
                    new.prev,
                    new.next,
                    pair.changed_at.unwrap_or(&self.now),
                    target,
                    pair.changed_by.or(pair.created_by)
                ],
            )
            .map(|_| ())
            .map_err(self.err("cannot update a pair"))
    }

    /// Store a pair's inline codes.
    fn set_codes(&self, id: i64, codes: Option<&str>) -> Result<()> {
        self.tx
            .execute(
                "UPDATE segment_pair SET codes = ?2 WHERE id = ?1",
                params![id, codes],
            )
            .map(|_| ())
            .map_err(self.err("cannot update a pair"))
    }

    /// Make the whole import durable at once.
    pub fn commit(mut self) -> Result<()> {
        let path = self.path;
        self.indexer
            .flush(&self.tx)
            .map_err(|e| db_error(&path, "cannot index the import", e))?;
        self.tx
            .commit()
            .map_err(|e| db_error(&path, "cannot commit the import", e))
    }
}

/// Glossary terms being added: one write transaction.
pub struct TermBatch<'a> {
    tx: rusqlite::Transaction<'a>,
    path: PathBuf,
    now: String,
}

impl TermBatch<'_> {
    /// Add a term pair, or update the domain, note, status, part of speech
    /// and date of the same pair (same languages, source and target) with
    /// those `term` gives.
    pub fn add(&mut self, term: &NewTerm<'_>) -> Result<TermAdded> {
        add_term(&mut self.tx, &self.path, &self.now, term)
    }

    pub fn commit(self) -> Result<()> {
        let path = self.path;
        self.tx
            .commit()
            .map_err(|e| db_error(&path, "cannot commit the terms", e))
    }
}

/// [`TermBatch::add`] (and [`ImportBatch::add_term`]) inside `tx`.
fn add_term(
    tx: &mut rusqlite::Transaction<'_>,
    path: &Path,
    now: &str,
    term: &NewTerm<'_>,
) -> Result<TermAdded> {
    let (source, target) = (text::term_text(term.source), text::term_text(term.target));
    let fail = |e| db_error(path, "cannot store a term", e);
    let known: Option<TermFields> = tx
        .prepare_cached(
            "SELECT domain, note, status, pos, checked FROM term_pair
             WHERE source_lang = ?1 AND target_lang = ?2 AND source = ?3 AND target = ?4",
        )
        .and_then(|mut stmt| {
            stmt.query_row(
                params![term.source_lang, term.target_lang, source, target],
                |r| {
                    Ok(TermFields {
                        domain: r.get(0)?,
                        note: r.get(1)?,
                        status: r.get(2)?,
                        pos: r.get(3)?,
                        checked: r.get(4)?,
                    })
                },
            )
            .optional()
        })
        .map_err(fail)?;
    let wanted = TermFields::wanted(term, known.as_ref());
    match known {
        Some(stored) if stored == wanted => Ok(TermAdded::Unchanged),
        Some(_) => {
            tx.execute(
                "UPDATE term_pair SET domain = ?5, note = ?6, status = ?7, changed_at = ?8,
                        pos = ?9, checked = ?10
                     WHERE source_lang = ?1 AND target_lang = ?2 AND source = ?3 AND target = ?4",
                params![
                    term.source_lang,
                    term.target_lang,
                    source,
                    target,
                    wanted.domain,
                    wanted.note,
                    wanted.status,
                    now,
                    wanted.pos,
                    wanted.checked
                ],
            )
            .map_err(fail)?;
            Ok(TermAdded::Updated)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO term_pair (source_lang, target_lang, source, target, domain,
                        note, status, origin, created_at, changed_at, pos, checked)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    term.source_lang,
                    term.target_lang,
                    source,
                    target,
                    wanted.domain,
                    wanted.note,
                    wanted.status,
                    term.origin,
                    now,
                    wanted.pos,
                    wanted.checked
                ])
            })
            .map_err(fail)?;
            Ok(TermAdded::New)
        }
    }
}

/// Postings a block of `fuzzy_block` holds when an import writes it; a
/// block that grows past twice this is split.
const BLOCK: usize = 128;

/// A block of a posting list (`fuzzy_block.postings`): its pairs in
/// increasing order, from the block's `first` up, each as a varint of its
/// difference from the one before (from `first` for the first one),
/// doubled, plus one when its source holds the term more than once; then
/// that count, as a varint. Blocks of one list hold disjoint ranges: a
/// block holds the pairs from its `first` up to the next block's.
fn encode_block(first: i64, postings: &[(i64, u32)]) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    let mut out = Vec::with_capacity(postings.len() * 2);
    let mut previous = first;
    for &(pair, count) in postings {
        let difference = pair.wrapping_sub(previous) as u64;
        varint(&mut out, (difference << 1) | u64::from(count > 1));
        if count > 1 {
            varint(&mut out, u64::from(count));
        }
        previous = pair;
    }
    out
}

/// A block's bytes; anything but a blob is a damaged block.
fn block_bytes(value: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<&[u8]> {
    value.as_blob().map_err(|_| damaged_block())
}

fn damaged_block() -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Blob,
        "a block of the fuzzy index is damaged (rebuild the memory from an export)".into(),
    )
}

/// The postings of a block written by [`encode_block`], to `f` (pair id,
/// count); an error if the bytes are not such a block.
fn decode_block(first: i64, bytes: &[u8], mut f: impl FnMut(i64, u32)) -> rusqlite::Result<()> {
    let damaged = damaged_block;
    let mut at = 0;
    let mut varint = || -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *bytes.get(at)?;
            at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    };
    // (The encoder never writes an empty block, nor a count below 2.)
    if bytes.is_empty() {
        return Err(damaged());
    }
    let mut previous = first;
    while let Some(v) = varint() {
        let count = if v & 1 == 1 {
            let count = varint().ok_or_else(damaged)?;
            u32::try_from(count)
                .ok()
                .filter(|&c| c > 1)
                .ok_or_else(damaged)?
        } else {
            1
        };
        previous = previous.wrapping_add((v >> 1) as i64);
        f(previous, count);
    }
    // A varint cut short, or too long, ends the loop early.
    if at < bytes.len() || bytes.last().is_some_and(|b| b & 0x80 != 0) {
        return Err(damaged());
    }
    Ok(())
}

/// Add `postings` (pair id and count, by increasing pair id, none already
/// there) to the list of `term` in sources of `words` words: each into the
/// block whose range holds it, or a new block before the first one.
fn add_postings(
    conn: &Connection,
    term: i64,
    words: i64,
    postings: &[(i64, u32)],
) -> rusqlite::Result<()> {
    if postings.is_empty() {
        return Ok(());
    }
    // As a rule (an import, a learn) the pairs are newer than every one in
    // the list: they go into its last block, if it has one.
    match block_holding(conn, term, words, i64::MAX)? {
        None => return write_block(conn, term, words, postings[0].0, postings),
        Some((first, mut held))
            if first <= postings[0].0 && held.last().is_none_or(|&(p, _)| p < postings[0].0) =>
        {
            held.extend_from_slice(postings);
            return write_block(conn, term, words, first, &held);
        }
        Some(_) => {}
    }
    let mut rest = postings;
    while let Some(&(pair, _)) = rest.first() {
        let (first, mut held) = match block_holding(conn, term, words, pair)? {
            Some((first, held)) => (first, held),
            None => (pair, Vec::new()),
        };
        let next = next_block(conn, term, words, pair)?;
        let take = next.map_or(rest.len(), |n| rest.partition_point(|&(p, _)| p < n));
        held.extend_from_slice(&rest[..take]);
        held.sort_unstable_by_key(|&(p, _)| p);
        held.dedup_by_key(|&mut (p, _)| p);
        write_block(conn, term, words, first, &held)?;
        rest = &rest[take..];
    }
    Ok(())
}

/// Remove `pairs` (by increasing id) from the list of `term` in sources
/// of `words` words: each block that holds some of them rewritten once.
fn remove_postings(
    conn: &Connection,
    term: i64,
    words: i64,
    pairs: &[i64],
) -> rusqlite::Result<()> {
    let mut rest = pairs;
    while let Some(&pair) = rest.first() {
        let next = next_block(conn, term, words, pair)?;
        let take = next.map_or(rest.len(), |n| rest.partition_point(|&p| p < n));
        if let Some((first, mut held)) = block_holding(conn, term, words, pair)? {
            let gone = &rest[..take];
            held.retain(|(p, _)| gone.binary_search(p).is_err());
            write_block(conn, term, words, first, &held)?;
        }
        rest = &rest[take..];
    }
    Ok(())
}

/// Where the block after the one holding `pair` starts, in the list of
/// `term` in sources of `words` words (none: that block is the last).
fn next_block(
    conn: &Connection,
    term: i64,
    words: i64,
    pair: i64,
) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT min(first) FROM fuzzy_block WHERE term_id = ?1 AND words = ?2 AND first > ?3",
    )?
    .query_row(params![term, words, pair], |r| r.get(0))
}

/// The block of the list of `term` in sources of `words` words whose range
/// holds `pair`: its `first` and postings.
#[allow(clippy::type_complexity)]
fn block_holding(
    conn: &Connection,
    term: i64,
    words: i64,
    pair: i64,
) -> rusqlite::Result<Option<(i64, Vec<(i64, u32)>)>> {
    let block: Option<(i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT first, postings FROM fuzzy_block
             WHERE term_id = ?1 AND words = ?2 AND first <= ?3
             ORDER BY first DESC LIMIT 1",
        )?
        .query_row(params![term, words, pair], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((first, bytes)) = block else {
        return Ok(None);
    };
    let mut held = Vec::new();
    decode_block(first, &bytes, |p, count| held.push((p, count)))?;
    Ok(Some((first, held)))
}

/// Write the block of `first` with `postings` (by increasing pair id), in
/// blocks of [`BLOCK`] when there are more than twice that; remove it when
/// there are none.
fn write_block(
    conn: &Connection,
    term: i64,
    words: i64,
    first: i64,
    postings: &[(i64, u32)],
) -> rusqlite::Result<()> {
    if postings.is_empty() {
        conn.prepare_cached(
            "DELETE FROM fuzzy_block WHERE term_id = ?1 AND words = ?2 AND first = ?3",
        )?
        .execute(params![term, words, first])?;
        return Ok(());
    }
    let size = if postings.len() > 2 * BLOCK {
        BLOCK
    } else {
        postings.len()
    };
    let mut write = conn.prepare_cached(
        "INSERT OR REPLACE INTO fuzzy_block (term_id, words, first, postings)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (k, chunk) in postings.chunks(size).enumerate() {
        let key = if k == 0 { first } else { chunk[0].0 };
        write.execute(params![term, words, key, encode_block(key, chunk)])?;
    }
    Ok(())
}

/// Builds the fuzzy index inside a write transaction: the entries of
/// [`IndexBuffer`], each source's terms written at once, postings sorted
/// at a flush (so a large import appends to the index B-tree in order
/// instead of jumping around it) with the document frequencies.
#[derive(Default)]
struct Indexer {
    buffer: IndexBuffer,
}

impl Indexer {
    fn add(&mut self, conn: &Connection, pair_id: i64, source: &str) -> rusqlite::Result<()> {
        let ids = self.buffer.add(pair_id, source, |term| {
            let known: Option<i64> = conn
                .prepare_cached("SELECT id FROM fuzzy_term WHERE term = ?1")?
                .query_row([term], |r| r.get(0))
                .optional()?;
            match known {
                Some(id) => Ok::<i64, rusqlite::Error>(id),
                None => {
                    conn.prepare_cached("INSERT INTO fuzzy_term (term) VALUES (?1)")?
                        .execute([term])?;
                    Ok(conn.last_insert_rowid())
                }
            }
        })?;
        conn.prepare_cached("INSERT INTO fuzzy_doc (pair_id, terms) VALUES (?1, ?2)")?
            .execute(params![pair_id, encode_ids(&ids)])?;
        if self.buffer.is_full() {
            self.write_postings(conn)?;
        }
        Ok(())
    }

    fn write_postings(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let postings = &mut self.buffer.postings;
        postings.sort_unstable();
        let mut list: Vec<(i64, u32)> = Vec::new();
        for run in postings.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            list.clear();
            list.extend(run.iter().map(|&(_, _, pair, count)| (pair, count)));
            add_postings(conn, run[0].0, i64::from(run[0].1), &list)?;
        }
        postings.clear();
        Ok(())
    }

    /// Write what is buffered: postings and document frequencies.
    fn flush(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.write_postings(conn)?;
        let mut update = conn.prepare_cached("UPDATE fuzzy_term SET df = df + ?2 WHERE id = ?1")?;
        for (id, delta) in self.buffer.df.drain() {
            update.execute(params![id, delta])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::default_path;
    use crate::text::Code;

    fn pair<'a>(source: &'a str, target: &'a str) -> NewPair<'a> {
        NewPair {
            source_lang: "fr",
            target_lang: "en",
            source,
            target,
            origin: "test",
            ..NewPair::default()
        }
    }

    /// Bug pinned: SQLite planned the lookup by match key again at every
    /// run (its ORDER BY and bound key), 8 % of a busy server's time.
    #[test]
    fn the_exact_lookup_is_planned_once_whatever_the_key() {
        let (_dir, mut store) = temp_store();
        let mut batch = store.begin_import().unwrap();
        batch
            .add(&pair("Le Conseil siège.", "The Council sits."))
            .unwrap();
        batch
            .add(&pair("La séance est levée.", "The sitting is closed."))
            .unwrap();
        batch.commit().unwrap();
        let reader = SqliteStore::open_read_only(&store.path).unwrap();
        for each in [&store, &reader] {
            for text in [
                "Le Conseil siège.",
                "La séance est levée.",
                "Rien.",
                "Le Conseil siège.",
            ] {
                let found = each.exact("fr", "en", text).unwrap();
                assert_eq!(found.len(), usize::from(text != "Rien."), "{text}");
            }
            let stmt = each.conn.prepare_cached(EXACT).unwrap();
            assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
        }
    }

    #[test]
    fn inline_codes_are_stored_read_back_and_updated() {
        use crate::text::CodeKind;
        let (_dir, mut store) = temp_store();
        let bold = |at_open, at_close| {
            vec![
                Code {
                    kind: CodeKind::Open,
                    id: 1,
                    at: at_open,
                    ctype: Some("bold".into()),
                    markup: "<b>".into(),
                    isolated: None,
                },
                Code {
                    kind: CodeKind::Close,
                    id: 1,
                    at: at_close,
                    ctype: Some("bold".into()),
                    markup: "</b>".into(),
                    isolated: None,
                },
            ]
        };
        let (source_codes, target_codes) = (bold(3, 20), bold(4, 19));
        let mut batch = store.begin_import().unwrap();
        let with_codes = NewPair {
            source_codes: &source_codes,
            target_codes: &target_codes,
            ..pair("Le Conseil fédéral siège.", "The Federal Council sits.")
        };
        assert_eq!(batch.add(&with_codes).unwrap(), Added::New);
        // The same pair without codes changes nothing; with other codes,
        // the file's codes are kept.
        let plain = pair("Le Conseil fédéral siège.", "The Federal Council sits.");
        assert_eq!(batch.add(&plain).unwrap(), Added::Duplicate);
        batch.commit().unwrap();
        let found = store
            .exact("fr", "en", "Le Conseil fédéral siège.")
            .unwrap();
        assert_eq!(
            found[0].coded_source().display(),
            "Le {1}Conseil fédéral{/1} siège."
        );
        assert_eq!(
            found[0].coded_target().display(),
            "The {1}Federal Council{/1} sits."
        );
        let other = bold(0, 2);
        let mut batch = store.begin_import().unwrap();
        let moved = NewPair {
            source_codes: &other,
            target_codes: &other,
            ..plain
        };
        assert_eq!(batch.add(&moved).unwrap(), Added::Updated);
        batch.commit().unwrap();
        let found = store
            .exact("fr", "en", "Le Conseil fédéral siège.")
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].coded_source().display(),
            "{1}Le{/1} Conseil fédéral siège."
        );
    }

    fn temp_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("m.db")).unwrap();
        (dir, store)
    }

    /// Open a database at `path` migrated only up to `version`.
    fn store_at_version(path: &Path, version: usize) -> SqliteStore {
        let conn = Connection::open(path).unwrap();
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            created: false,
            upgraded_from: None,
        };
        store.configure().unwrap();
        store.migrate(version, None).unwrap();
        store
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let (dir, store) = temp_store();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        drop(store);
        let store = SqliteStore::open(&dir.path().join("m.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    /// SqliteStore one pair the way schema `version` stored it.
    fn seed_pair(store: &SqliteStore, version: usize) {
        if version >= 1 {
            store
                .conn
                .execute(
                    "INSERT INTO segment_pair (source_lang, target_lang, source, target,
                        key_hash, origin, created_at, changed_at)
                     VALUES ('fr', 'en', 'Bonjour à tous.', 'Hello everyone.', ?1,
                        'old', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')",
                    [text::key_hash("Bonjour à tous.")],
                )
                .unwrap();
        }
        if (2..11).contains(&version) {
            // Schemas 2 to 10 indexed a pair with a row a posting (only
            // one term here: the upgrade builds the index again).
            store
                .conn
                .execute_batch(
                    "INSERT INTO fuzzy_term (id, term, df) VALUES (1, 'bonjour', 1);
                     INSERT INTO fuzzy_posting (term_id, words, pair_id) VALUES (1, 3, 1);
                     INSERT INTO fuzzy_doc (pair_id, terms) VALUES (1, x'02');",
                )
                .unwrap();
        } else if version >= 11 {
            // From schema 11 on, in blocks.
            let tx = store.conn.unchecked_transaction().unwrap();
            index_existing_pairs(&tx).unwrap();
            tx.commit().unwrap();
        }
    }

    #[test]
    fn every_older_version_opens_and_keeps_its_pairs() {
        for version in 0..MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("old.db");
            let old = store_at_version(&path, version);
            assert_eq!(old.schema_version().unwrap(), version as i64);
            seed_pair(&old, version);
            drop(old);
            let store = SqliteStore::open(&path).unwrap();
            assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
            let found = store.exact("fr", "en", "Bonjour à tous.").unwrap();
            assert_eq!(found.len(), usize::from(version >= 1));
            if let Some(pair) = found.first() {
                // Migration 2 indexed the pair for fuzzy search.
                assert_eq!(store.pair_terms(pair.id).unwrap().len(), 3);
            }
        }
    }

    #[test]
    fn a_newer_database_is_refused_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).err().expect("refused");
        assert_eq!(err.kind(), Kind::NewerSchema);
        assert!(err.to_string().contains("newer memoire"), "{err}");
    }

    #[test]
    fn a_foreign_sqlite_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT)")
            .unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).err().expect("refused");
        assert_eq!(err.kind(), Kind::Corrupt);
    }

    #[test]
    fn a_text_file_is_not_a_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "ceci n'est pas une base de données\n".repeat(200)).unwrap();
        let err = SqliteStore::open(&path).err().expect("refused");
        assert_eq!(err.kind(), Kind::Corrupt, "{err}");
        assert!(err.to_string().contains("not a memoire database"), "{err}");
    }

    #[test]
    fn identical_pairs_are_stored_once_and_other_targets_are_alternatives() {
        let (_dir, mut store) = temp_store();
        let mut batch = store.begin_import().unwrap();
        assert_eq!(
            batch
                .add(&pair("L’OTSC se réunit.", "The CSTO meets."))
                .unwrap(),
            Added::New
        );
        // Same pair up to apostrophe and spacing: a duplicate.
        assert_eq!(
            batch
                .add(&pair("L'OTSC  se réunit.", "The CSTO meets."))
                .unwrap(),
            Added::Duplicate
        );
        assert_eq!(
            batch
                .add(&pair("L’OTSC se réunit.", "The CSTO is meeting."))
                .unwrap(),
            Added::Alternative
        );
        batch.commit().unwrap();
        assert_eq!(
            store.exact("fr", "en", "L'OTSC se réunit.").unwrap().len(),
            2
        );
        assert!(
            store
                .exact("fr", "de", "L'OTSC se réunit.")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_dropped_batch_leaves_nothing() {
        let (_dir, mut store) = temp_store();
        let mut batch = store.begin_import().unwrap();
        batch.add(&pair("Il pleut.", "It is raining.")).unwrap();
        drop(batch);
        assert!(store.exact("fr", "en", "Il pleut.").unwrap().is_empty());
        assert!(store.stats().unwrap().language_pairs.is_empty());
    }

    #[test]
    fn texts_are_stored_in_nfc_and_as_given_otherwise() {
        let (_dir, mut store) = temp_store();
        let mut batch = store.begin_import().unwrap();
        batch.add(&pair("  Gene\u{300}ve  ", "Geneva")).unwrap();
        batch.commit().unwrap();
        let found = store.exact("fr", "en", "Genève").unwrap();
        assert_eq!(found[0].source, "  Genève  ");
    }

    #[test]
    fn term_ids_round_trip_through_their_blob() {
        let ids = [1, 1, 5, 300, 70_000, 1 << 40];
        assert_eq!(decode_ids(&encode_ids(&ids)), ids);
        // In a source's order, not sorted (schema 10).
        let ids = [70_000, 5, 1 << 40, 1, 300, 1, i64::MAX, 0];
        assert_eq!(decode_ids(&encode_ids(&ids)), ids);
        assert!(decode_ids(&[]).is_empty());
    }

    #[test]
    fn a_source_holding_a_term_three_times_has_that_count_in_its_posting() {
        let (_dir, mut store) = temp_store();
        let mut batch = store.begin_import().unwrap();
        batch
            .add(&pair("Le vote, le vote et le vote.", "The vote."))
            .unwrap();
        batch.commit().unwrap();
        let stats = store.term_stats(&["vote", "et"]).unwrap();
        let mut found = crate::fuzzy::Postings::default();
        store
            .postings_into(stats[0].unwrap().0, 7, &mut found)
            .unwrap();
        store
            .postings_into(stats[1].unwrap().0, 7, &mut found)
            .unwrap();
        assert_eq!(found.pairs, [1, 1]);
        assert_eq!(found.counts, [3, 1]);
    }

    #[test]
    fn a_damaged_block_is_an_error_not_a_panic() {
        let good = encode_block(10, &[(10, 1), (300, 4), (70_000, 1)]);
        let mut read = Vec::new();
        decode_block(10, &good, |p, c| read.push((p, c))).unwrap();
        assert_eq!(read, [(10, 1), (300, 4), (70_000, 1)]);
        for cut in 1..good.len() {
            // Cut inside a varint, or after a flag that promises a count.
            let _ = decode_block(10, &good[..cut], |_, _| {});
        }
        assert!(decode_block(10, &[0x80], |_, _| {}).is_err());
        assert!(
            decode_block(10, &[0x03], |_, _| {}).is_err(),
            "count missing"
        );
        assert!(
            decode_block(10, &[0xff; 11], |_, _| {}).is_err(),
            "varint too long"
        );
        // Adversary: what the encoder never writes was read as no posting,
        // or a count of 0, and pairs went missing from the search.
        assert!(decode_block(10, &[], |_, _| {}).is_err(), "empty block");
        assert!(
            decode_block(10, &[0x01, 0x00], |_, _| {}).is_err(),
            "count 0"
        );
        assert!(
            decode_block(10, &[0x01, 0x01], |_, _| {}).is_err(),
            "count 1 flagged"
        );
    }

    #[test]
    fn posting_lists_stay_whole_across_split_blocks_imports_and_removals() {
        // 900 sources of one length share « vote »: its list is written in
        // blocks, later imports add to the last block, and removing an
        // origin rewrites blocks in the middle.
        let (_dir, mut store) = temp_store();
        for round in 0..3 {
            let mut batch = store.begin_import().unwrap();
            for k in 0..300 {
                let source = format!("Le vote numéro {k} du tour {round}.");
                let origin = if k % 3 == 0 { "gone" } else { "kept" };
                batch
                    .add(&NewPair {
                        origin,
                        ..pair(&source, "The vote is closed.")
                    })
                    .unwrap();
            }
            batch.commit().unwrap();
        }
        let vote = store.term_stats(&["vote"]).unwrap()[0].unwrap().0;
        let blocks: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM fuzzy_block WHERE term_id = ?1",
                [vote],
                |r| r.get(0),
            )
            .unwrap();
        assert!(blocks >= 3, "{blocks} blocks");
        let words = crate::fuzzy::index_terms("Le vote numéro 1 du tour 2.").len();
        assert_eq!(words, 7);
        assert_eq!(
            store.postings(vote, words).unwrap(),
            (1..=900).collect::<Vec<i64>>()
        );
        assert_eq!(store.remove_pairs_from("gone", "fr", "en").unwrap(), 300);
        let mut kept = Vec::new();
        crate::store::Pairs::each_pair(&store, None, None, &mut |p| {
            kept.push(p.id);
            Ok(())
        })
        .unwrap();
        kept.sort_unstable();
        assert_eq!(kept.len(), 600);
        assert_eq!(store.postings(vote, words).unwrap(), kept);
        assert_eq!(store.postings_any_length(vote).unwrap(), kept);
    }

    mod blocks {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]

            #[test]
            fn a_block_round_trips(
                first in 0i64..1_000_000,
                steps in prop::collection::vec((0i64..100_000, 1u32..400), 1..300),
            ) {
                let mut postings = Vec::new();
                let mut pair = first;
                for (step, count) in steps {
                    postings.push((pair, count));
                    pair += step + 1;
                }
                let mut read = Vec::new();
                decode_block(first, &encode_block(first, &postings), |p, c| read.push((p, c)))
                    .unwrap();
                prop_assert_eq!(read, postings);
            }

            /// Adds (in sorted batches) and removals in any order give the
            /// list a model holds, however its blocks were split.
            #[test]
            fn a_list_holds_what_was_added_and_not_removed(
                ops in prop::collection::vec((any::<bool>(), prop::collection::vec((0i64..3000, 1u32..5), 1..200)), 1..12),
            ) {
                let (_dir, store) = temp_store();
                let mut model = std::collections::BTreeMap::new();
                for (add, batch) in ops {
                    if add {
                        let mut new: Vec<(i64, u32)> =
                            batch.into_iter().filter(|(p, _)| !model.contains_key(p)).collect();
                        new.sort_unstable();
                        new.dedup_by_key(|(p, _)| *p);
                        add_postings(&store.conn, 7, 5, &new).unwrap();
                        model.extend(new);
                    } else {
                        let mut gone: Vec<i64> = batch.iter().map(|&(p, _)| p).collect();
                        gone.sort_unstable();
                        gone.dedup();
                        remove_postings(&store.conn, 7, 5, &gone).unwrap();
                        for p in gone {
                            model.remove(&p);
                        }
                    }
                    let mut read = Vec::new();
                    store.each_posting_of(7, Some(5), |p, c| read.push((p, c))).unwrap();
                    prop_assert_eq!(&read, &model.iter().map(|(&p, &c)| (p, c)).collect::<Vec<_>>());
                }
            }
        }
    }

    #[test]
    fn default_path_follows_xdg_data_home() {
        // Only checks the shape; the environment is the test runner's.
        let path = default_path().expect("HOME or XDG_DATA_HOME is set");
        assert!(path.ends_with("memoire/memoire.db"));
    }
}
