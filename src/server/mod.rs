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

impl Config {
    pub fn new(db: PathBuf) -> Config {
        Config {
            db,
            open: false,
            readers: 8,
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

impl AppState {
    /// Open the memory: the writer first (it creates a new memory with the
    /// shipped glossary, or upgrades an older one), then the readers.
    pub fn open(config: Config) -> Result<Arc<AppState>> {
        let writer = crate::glossary::open_for_writing(&config.db, true)?;
        let readers = pool::Readers::open(&config.db, config.readers.max(1))?;
        let warm = if config.warm_index {
            Some(crate::fuzzy::warm::WarmIndex::load(&writer)?)
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

    /// Run `f` on a read connection, off the async threads.
    async fn read<T, F>(self: &Arc<Self>, f: F) -> std::result::Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T> + Send + 'static,
    {
        self.readers.run(f).await
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
            .and_then(|v| v.strip_prefix("Bearer "))
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
                "this token is not known to the memory (memoire token list)",
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
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            limit_requests,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// At most `max_requests` requests at once (more get 503 at once, not a
/// queue that grows without end), and bodies larger than `max_body` are
/// refused by their declared length before they are read.
async fn limit_requests(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
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
    let response = next.run(request).await;
    // axum's own refusals (a body over the limit while streaming) come as
    // text: the API answers JSON.
    if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && !is_json(&response) {
        return ApiError::too_large(state.config.max_body).into_response();
    }
    response
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
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| Error::new(Kind::Io, format!("the server stopped: {e}")))
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
