//! `memoire serve` and `memoire token`: start the library's server, manage
//! its tokens.

use std::path::Path;
use std::process::ExitCode;

use memoire::auth::{self, Role};
use memoire::server::{self, AppState, Config};
use memoire::{Error, Kind, Result};

use crate::cli::{ServeArgs, TokenCommand};

pub fn serve(db: &Path, args: ServeArgs) -> Result<ExitCode> {
    if let Some(read_db) = &args.read_db {
        // A replica of a memory in PostgreSQL, nothing else: lookups from
        // one memory and learns into another would disagree.
        if memoire::store::postgres_url(db).is_none()
            || memoire::store::postgres_url(read_db).is_none()
        {
            return Err(Error::new(
                Kind::Input,
                "--read-db is for a memory in PostgreSQL: give --db the primary and --read-db a \
                 streaming replica of it, both postgres:// URLs",
            ));
        }
        crate::warn_if_unencrypted(read_db);
    }
    // A typo in --db must not start a server on a new, empty memory that
    // holds no tokens.
    if memoire::store::postgres_url(db).is_some() {
        // An empty database is refused the same way.
        memoire::store::Store::open_existing(db)?;
    } else if !db.exists() {
        return Err(Error::new(
            Kind::Input,
            format!(
                "no memory at {}: give --db the desk's memory (make one with `memoire --db FILE \
                 import …` and `memoire --db FILE token add …`)",
                memoire::store::shown(db)
            ),
        ));
    }
    let listen = listen_address(&args.listen)?;
    if args.open && !listen.ip().is_loopback() {
        return Err(Error::new(
            Kind::Input,
            format!(
                "--open serves without tokens, on a loopback address only (127.0.0.1, ::1), not \
                 {listen}: make tokens with `memoire token add` for a desk"
            ),
        ));
    }
    let mut config = Config::new(db.to_path_buf());
    config.open = args.open;
    config.read_db = args.read_db;
    if let Some(readers) = args.readers {
        config.readers = usize::from(readers);
    }
    config.max_body = args.max_upload.clamp(1, 4096) << 20;
    config.warm_index = !args.no_warm_index;
    if config.warm_index {
        eprintln!("memoire: reading the fuzzy index into memory…");
    }
    let state = AppState::open(config)?;
    if let Some(pairs) = state.warm_pairs() {
        let pairs_word = if pairs == 1 { "pair" } else { "pairs" };
        eprintln!("memoire: fuzzy index of {pairs} {pairs_word} in memory");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .on_thread_park(yield_to_lookups)
        .enable_all()
        .build()
        .map_err(|e| Error::new(Kind::Internal, format!("cannot start the server: {e}")))?;
    let users = state.config().open;
    let readers = state.config().readers;
    let read_from = state.config().read_db.clone();
    // The state (its database connections) is dropped here, after the
    // runtime: the PostgreSQL driver closes a connection with a blocking
    // call, which must not run on the runtime's threads.
    let keep = std::sync::Arc::clone(&state);
    let served = runtime.block_on(server::serve(state, listen, |bound| {
        eprintln!(
            "memoire serves {}{} on http://{bound}/ ({readers} {} at once; {}); Ctrl-C stops it",
            memoire::store::shown(db),
            read_from
                .as_deref()
                .map(|r| format!(" (lookups from {})", memoire::store::shown(r)))
                .unwrap_or_default(),
            if readers == 1 { "lookup" } else { "lookups" },
            if users {
                "open: no tokens"
            } else {
                "tokens needed: memoire token add NAME"
            }
        );
        if !bound.ip().is_loopback() {
            eprintln!(
                "memoire: note: {bound} takes plain HTTP from other machines: tokens and texts \
                 travel unencrypted; listen on 127.0.0.1 behind a TLS reverse proxy (README, \
                 \"For a desk\")"
            );
        }
    }));
    // Lookups still running on blocking threads (a client gone) do not
    // hold the process: what was acknowledged is committed already.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    drop(keep);
    served?;
    eprintln!("memoire: stopped");
    Ok(ExitCode::SUCCESS)
}

/// How much less the HTTP threads weigh than the lookup threads, in nice
/// levels (Linux: each thread has its own).
///
/// A lookup thread that answered woke an HTTP thread, which took the core
/// from it at once: four context switches a lookup at threshold 50. Three
/// levels below, three a lookup: at threshold 50 with 32 clients 5–9 %
/// less of the server's CPU a lookup and 3–9 % more lookups a second, at
/// 75 the same (README). Five gave the same at 50 but 3–5 % fewer lookups
/// at 75 (the HTTP side is more of a cheap lookup); ten starved it. A
/// lower priority needs no privilege; the lookup threads keep the
/// process's.
#[cfg(target_os = "linux")]
const HTTP_NICE: libc::c_int = 3;

/// Called by each of the runtime's worker threads (the HTTP side) as it
/// goes idle: the first time, lower the thread's own priority
/// ([`HTTP_NICE`]). The blocking threads the workers start for the writes
/// take it from them (a new thread takes its parent's): learns and
/// imports yield to the desk's lookups too. The lookup threads, started
/// before the runtime, keep the process's. Best effort: a system that
/// refuses changes nothing.
fn yield_to_lookups() {
    #[cfg(target_os = "linux")]
    {
        thread_local! {
            static DONE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if !DONE.replace(true) {
            // SAFETY: gettid and setpriority take plain integers and
            // touch no memory of ours; the thread id names this thread.
            unsafe {
                let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
                let now = libc::getpriority(libc::PRIO_PROCESS, tid);
                libc::setpriority(libc::PRIO_PROCESS, tid, now + HTTP_NICE);
            }
        }
    }
}

/// `127.0.0.1:8080`, `[::1]:8080`, or `localhost:8080`.
fn listen_address(listen: &str) -> Result<std::net::SocketAddr> {
    let listen = match listen.strip_prefix("localhost:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => listen.to_string(),
    };
    listen.parse().map_err(|_| {
        Error::new(
            Kind::Input,
            format!(
                "--listen {listen:?}: give an address and a port, as 127.0.0.1:8080 or 0.0.0.0:8080"
            ),
        )
    })
}

pub fn token(db: &Path, command: TokenCommand) -> Result<ExitCode> {
    match command {
        TokenCommand::Add { name, role } => {
            let role = Role::parse(&role).ok_or_else(|| {
                Error::new(
                    Kind::Input,
                    format!("--role {role:?}: choose read, translate or admin"),
                )
            })?;
            let mut store = memoire::glossary::open_for_writing(db, true)?;
            if store.created() {
                eprintln!("new memory created at {}", memoire::store::shown(db));
            }
            let token = auth::new_token()?;
            store.add_user(&name, role, &auth::token_hash(&token))?;
            println!("{token}");
            eprintln!(
                "token for {name} ({role}) in {}: shown once, keep it; `memoire token remove \
                 {name}` revokes it; serve this memory with `memoire --db {} serve`",
                memoire::store::shown(db),
                memoire::store::shown_for_shell(db)
            );
        }
        TokenCommand::List => {
            let store = memoire::store::Store::open_read_only(db)?;
            let users = store.users()?;
            if users.is_empty() {
                eprintln!("no tokens yet: memoire token add NAME --role read|translate|admin");
            }
            for user in users {
                println!("{}\t{}\t{}", user.name, user.role, user.created_at);
            }
        }
        TokenCommand::Remove { name } => {
            // Revoking a token never creates a memory (new user: a
            // mistyped --db left a new memory behind, glossary and all).
            let mut store = memoire::store::Store::open_existing(db)?;
            if !store.remove_user(&name)? {
                eprintln!("no token named {name:?} (memoire token list)");
                return Ok(ExitCode::from(1));
            }
            eprintln!("removed the token of {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
