//! `memoire serve`: one memory for a desk, over HTTP.
//!
//! An adapter, like the CLI: the handlers parse a request, call the same
//! library functions as the commands (`fuzzy::search`, `glossary`,
//! `pretranslate`, `import`), and render the answer as JSON with a status.
//! No other module uses this one.
//!
//! - [`AppState`]: the store, opened once — a pool of read connections
//!   (many lookups at once) and one write connection behind a lock (learns
//!   and imports queue there, one transaction each; SQLite's WAL lets the
//!   readers go on meanwhile, and a committed learn is seen by the next
//!   lookup);
//! - [`router`]: memoire's own API under `/api/v1` (see
//!   `web/openapi.json`), the amaGama/tmserver API Weblate and Virtaal call,
//!   and the desk's web page, all from one `Router`;
//! - [`serve`]: the listener, with a graceful shutdown on SIGTERM or Ctrl-C
//!   that lets requests in flight finish (an acknowledged learn is
//!   committed before its answer is sent).

mod api;
mod error;
mod pool;
mod tmserver;
mod web;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::auth::{self, Role};
use crate::store::Store;
use crate::{Error, Kind, Result};
pub use error::ApiError;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The memory (created with the shipped glossary when missing).
    pub db: PathBuf,
    /// Where lookups read, when not from `db`: a read replica of a memory
    /// in PostgreSQL.
    pub read_db: Option<PathBuf>,
    /// No tokens: everyone is admin. Only on a loopback address.
    pub open: bool,
    /// Read connections: lookups served at once.
    pub readers: usize,
    /// The largest request body (an uploaded file), in bytes.
    pub max_body: usize,
    /// The longest text looked up, in characters.
    pub max_text: usize,
    /// Requests handled at once; more get 503.
    pub max_requests: usize,
    /// A request that takes longer gets 408.
    pub timeout: Duration,
    /// Keep a copy of the fuzzy index in memory (faster lookups; about
    /// 200 MB for a million pairs).
    pub warm_index: bool,
}

/// Read connections when none are asked for: as many as the machine has
/// cores for a SQLite file (from 2 to 16), twice that for PostgreSQL (a
/// lookup there also waits for the database server's answers). A lookup
/// on SQLite keeps a core busy from start to end: more at once only share
/// the cores, and the slow ones then hold the others up. Measured on 2
/// cores, threshold 50, 32 clients, three alternating rounds: p99 25–36 ms
/// with 2 readers, 32–36 with 3, 35–40 with 4.
pub fn default_readers(db: &std::path::Path) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_core = if crate::store::postgres::is_url(&db.to_string_lossy()) {
        2
    } else {
        1
    };
    (per_core * cores).clamp(2, 16)
}

/// Threads for long reads (documents, concordance, statistics): half the
/// readers, at least 1 (`--readers 1` gives one of each).
fn long_readers(config: &Config) -> usize {
    (config.readers / 2).max(1)
}

impl Config {
    pub fn new(db: PathBuf) -> Config {
        Config {
            readers: default_readers(&db),
            db,
            read_db: None,
            open: false,
            max_body: 64 << 20,
            max_text: 10_000,
            max_requests: 512,
            timeout: Duration::from_secs(120),
            warm_index: true,
        }
    }
}

/// What every handler shares.
pub struct AppState {
    config: Config,
    readers: pool::Readers,
    writer: Mutex<Store>,
    in_flight: Semaphore,
    warm: Option<crate::fuzzy::warm::WarmIndex>,
}

/// Who is calling, once the token is checked.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's name; `None` on an `--open` server.
    pub user: Option<String>,
    pub role: Role,
}

impl Caller {
    /// Itself, if its role allows what `needed` allows; else 403.
    pub fn require(self, needed: Role) -> std::result::Result<Caller, ApiError> {
        if self.role.allows(needed) {
            return Ok(self);
        }
        Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "the token {:?} has the role {}; this needs {needed}",
                self.user.as_deref().unwrap_or(""),
                self.role
            ),
        ))
    }
}

impl AppState {
    /// Open the memory: the writer first (it creates a new memory with the
    /// shipped glossary, or upgrades an older one), then the readers.
    pub fn open(config: Config) -> Result<Arc<AppState>> {
        let writer = crate::glossary::open_for_writing(&config.db, true)?;
        let read_db = config.read_db.as_ref().unwrap_or(&config.db);
        let readers = pool::Readers::open(read_db, config.readers.max(1), long_readers(&config))?;
        let warm = if config.warm_index {
            // From where lookups read (a replica's index follows the
            // replica, not the primary).
            let source = Store::open_read_only(read_db)?;
            Some(crate::fuzzy::warm::WarmIndex::load(&source)?)
        } else {
            None
        };
        Ok(Arc::new(AppState {
            in_flight: Semaphore::new(config.max_requests.max(1)),
            config,
            readers,
            writer: Mutex::new(writer),
            warm,
        }))
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Pairs in the fuzzy index held in memory, if one is.
    pub fn warm_pairs(&self) -> Option<usize> {
        self.warm.as_ref().map(|w| w.len())
    }

    /// A fuzzy search, through the index in memory when there is one.
    fn search(
        &self,
        store: &Store,
        query: &crate::fuzzy::Query<'_>,
    ) -> Result<Vec<crate::fuzzy::Match>> {
        match &self.warm {
            Some(warm) => warm.search(store, query),
            None => crate::fuzzy::search(store, query),
        }
    }

    /// Run `f` on a read connection, off the async threads: for what
    /// answers in milliseconds (lookups, terms, token checks).
    async fn read<T, F>(self: &Arc<Self>, f: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Store) -> Result<T> + Send + 'static,
    {
        self.readers.run(pool::Lane::Quick, f).await
    }

    /// Room in the long lane, taken before reading a large body
    /// ([`pool::Readers::room`]).
    async fn long_room(self: &Arc<Self>) -> std::result::Result<pool::Room, ApiError> {
        self.readers.room(pool::Lane::Long).await
    }

    /// [`AppState::read_long`] in room already taken.
    async fn read_long_in<T, F>(
        self: &Arc<Self>,
        room: pool::Room,
        f: F,
    ) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Store) -> Result<T> + Send + 'static,
    {
        self.readers.run_in(room, f).await
    }

    /// [`AppState::read`] for what may take seconds (a document, a
    /// concordance, statistics): on threads of their own, so that it
    /// never holds up the lookups.
    async fn read_long<T, F>(self: &Arc<Self>, f: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: Fn(&Store) -> Result<T> + Send + 'static,
    {
        self.readers.run(pool::Lane::Long, f).await
    }

    /// Run `f` on the write connection: one writer at a time, in order of
    /// arrival.
    async fn write<T, F>(self: &Arc<Self>, f: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T> + Send + 'static,
    {
        let state = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = state
                .writer
                .lock()
                .map_err(|_| Error::new(Kind::Internal, "the write connection was poisoned"))?;
            // The database server went away (or restarted) since the last
            // write: connect again (an error still while it is down). A
            // write is not tried twice, so the connection is checked first.
            if store.is_broken() || !store.is_alive() {
                *store = Store::open_existing(&state.config.db)?;
            }
            f(&mut store)
        })
        .await
        .map_err(|e| ApiError::internal(format!("a write stopped: {e}")))?
        .map_err(ApiError::from)
    }

    /// The caller behind a token (from the `Authorization: Bearer` header
    /// or the `/t/{token}/` path prefix), if it may do what `needed` allows.
    async fn authorize(
        self: &Arc<Self>,
        headers: &HeaderMap,
        path_token: Option<&str>,
        needed: Role,
    ) -> std::result::Result<Caller, ApiError> {
        if self.config.open {
            return Ok(Caller {
                user: None,
                role: Role::Admin,
            });
        }
        let header = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                // The scheme is case-insensitive (RFC 7235).
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then_some(token)
            })
            .map(str::trim);
        let Some(token) = path_token.or(header).filter(|t| !t.is_empty()) else {
            return Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "unauthorized",
                "give a token: Authorization: Bearer TOKEN (memoire token add NAME --role …)",
            ));
        };
        let hash = auth::token_hash(token);
        let user = self.read(move |s| s.user_by_token_hash(&hash)).await?;
        let Some(user) = user else {
            return Err(ApiError::new(
                axum::http::StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this token is not known to this server's memory (memoire --db FILE token list, FILE the memory the server was started on)",
            ));
        };
        if !user.role.allows(needed) {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "the token {:?} has the role {}; this needs {needed}",
                    user.name, user.role
                ),
            ));
        }
        Ok(Caller {
            user: Some(user.name),
            role: user.role,
        })
    }
}

/// Every route: memoire's API, the tmserver API (also behind a token
/// prefix), the web page.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.max_body;
    let timeout = state.config.timeout;
    Router::new()
        .merge(api::routes())
        .merge(tmserver::routes())
        .merge(web::routes())
        .fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "no such endpoint (see /api/v1/openapi.json)",
            )
        })
        .layer(DefaultBodyLimit::max(limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            limit_requests,
        ))
        // Answers under a kilobyte (most lookups) go as they are: gzip
        // saves nothing on them, and setting up its encoder cost a lookup
        // more than writing them.
        .layer(
            tower_http::compression::CompressionLayer::new().compress_when(
                tower_http::compression::Predicate::and(
                    tower_http::compression::predicate::DefaultPredicate::new(),
                    tower_http::compression::predicate::SizeAbove::new(1024),
                ),
            ),
        )
        .with_state(state)
}

/// Paths anyone may fetch: the page, its assets, health, the API's
/// description.
const PUBLIC: &[&str] = &[
    "/",
    "/app.js",
    "/style.css",
    "/api/v1/health",
    "/api/v1/openapi.json",
];

/// Every request, before its body is read: the token checked (a request
/// without a valid one never takes a slot or sends a body), on an
/// `--open` server requests from other web sites refused, at most
/// `max_requests` at once (more get 503 at once, not a queue that grows
/// without end), bodies larger than `max_body` refused by their declared
/// length; every error answered as JSON; one log line per request.
async fn limit_requests(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    // A token in the path is not written to the log.
    let logged = match path.strip_prefix("/t/").and_then(|r| r.split_once('/')) {
        Some((_, rest)) => format!("/t/…/{rest}"),
        None => path.clone(),
    };
    let response = checked(&state, request, next, &path).await;
    let response = as_json(response, &state);
    eprintln!(
        "{method} {logged} {} {:.1} ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

async fn checked(state: &Arc<AppState>, mut request: Request, next: Next, path: &str) -> Response {
    if state.config.open
        && let Some(refusal) = foreign_origin(request.headers())
    {
        return refusal.into_response();
    }
    if !PUBLIC.contains(&path) {
        let path_token = path
            .strip_prefix("/t/")
            .and_then(|rest| rest.split_once('/'))
            .map(|(token, _)| token.to_string());
        // Who calls, checked once: the handlers ask the role they need.
        match state
            .authorize(request.headers(), path_token.as_deref(), Role::Read)
            .await
        {
            Ok(caller) => {
                request.extensions_mut().insert(caller);
            }
            Err(refusal) => return refusal.into_response(),
        }
    }
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > state.config.max_body as u64) {
        return ApiError::too_large(state.config.max_body).into_response();
    }
    let Ok(_permit) = state.in_flight.try_acquire() else {
        return ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "too many requests at once: try again in a moment",
        )
        .into_response();
    };
    next.run(request).await
}

/// On an `--open` server (no tokens), a request a web page of another
/// site sends (its `Origin`), or one for another host name (DNS
/// rebinding), is refused: only the desk's own page and local clients.
fn foreign_origin(headers: &HeaderMap) -> Option<ApiError> {
    let local = |host: &str| {
        let name = host.rsplit_once(':').map_or(host, |(n, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                n
            } else {
                host
            }
        });
        matches!(name, "localhost" | "127.0.0.1" | "[::1]" | "::1")
    };
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let host_ok = header(axum::http::header::HOST).is_none_or(local);
    let origin_ok = header(axum::http::header::ORIGIN).is_none_or(|origin| {
        origin
            .split_once("://")
            .is_some_and(|(_, rest)| local(rest.trim_end_matches('/')))
    });
    (!host_ok || !origin_ok).then(|| {
        ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "an --open server answers its own page and local clients only (Host and Origin \
             must be localhost or 127.0.0.1)",
        )
    })
}

/// axum's and tower's own refusals (a wrong method, a body over the limit
/// while streaming, a timeout, a malformed path) come as text or empty:
/// the API answers JSON.
fn as_json(response: Response, state: &AppState) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    use axum::http::StatusCode;
    let (kind, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            return ApiError::too_large(state.config.max_body).into_response();
        }
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this endpoint takes another method (see /api/v1/openapi.json)",
        ),
        StatusCode::REQUEST_TIMEOUT => {
            ("timeout", "the request took longer than the server allows")
        }
        StatusCode::NOT_FOUND => ("not_found", "no such endpoint (see /api/v1/openapi.json)"),
        s if s.is_client_error() => (
            "bad_request",
            "the request is malformed (its path, query or headers)",
        ),
        _ => ("internal", "the server failed on this request"),
    };
    ApiError::new(status, kind, message).into_response()
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

/// Serve until SIGTERM or Ctrl-C, then finish the requests in flight.
/// `ready` is told the address listened on (port 0 picks a free one).
pub async fn serve(
    state: Arc<AppState>,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    if state.config.open && !listen.ip().is_loopback() {
        return Err(Error::new(
            Kind::Input,
            format!(
                "--open serves without tokens, on a loopback address only (127.0.0.1, ::1), \
                 not {listen}: make tokens with `memoire token add` for a desk"
            ),
        ));
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Error::new(Kind::Input, format!("cannot listen on {listen}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::new(Kind::Io, format!("cannot listen on {listen}: {e}")))?;
    ready(bound);
    accept_loop(listener, state).await;
    Ok(())
}

/// How long a client may take to send a request's headers (a connection
/// that opens and says nothing is closed), and how many connections are
/// served at once (more are closed at once: a flood of idle sockets must
/// not use up the process's files).
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_CONNECTIONS: usize = 768;

/// Accept connections until SIGTERM or Ctrl-C, each served by hyper's
/// HTTP/1 with a header timeout; then let the requests in flight finish
/// (at most the request timeout).
async fn accept_loop(listener: tokio::net::TcpListener, state: Arc<AppState>) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let timeout = state.config.timeout;
    let app = router(state);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of files or a connection reset: wait a little.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
                    drop(stream);
                    continue;
                };
                let service = hyper_util::service::TowerToHyperService::new(app.clone());
                let connection = http.serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                    drop(permit);
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(timeout + Duration::from_secs(5), graceful.shutdown()).await;
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn a_sqlite_file_gets_a_reader_a_core_and_postgresql_two() {
        let cores = std::thread::available_parallelism().unwrap().get();
        assert_eq!(
            super::default_readers(Path::new("desk.db")),
            cores.clamp(2, 16)
        );
        let url = Path::new("postgres://memoire@db.example/desk");
        assert_eq!(super::default_readers(url), (2 * cores).clamp(2, 16));
    }
}
