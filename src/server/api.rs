//! memoire's own JSON API, `/api/v1/…` (described in `web/openapi.json`).
//! Each handler checks the caller's role, turns the request into the same
//! library call a CLI command makes, and renders its answer.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ApiError, AppState};
use crate::auth::Role;
use crate::document::{self, DocFormat};
use crate::glossary::{Glossary, Side};
use crate::import::{self, ImportOptions};
use crate::pretranslate::{self, Options, Weights};
use crate::store::{Added, NewPair};
use crate::{fuzzy, text};

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/lookup", get(lookup))
        .route("/api/v1/concordance", get(concordance))
        .route("/api/v1/terms", get(terms))
        .route("/api/v1/terms/find", post(terms_find))
        .route("/api/v1/learn", post(learn))
        .route("/api/v1/import", post(import_file))
        .route("/api/v1/pretranslate", post(pretranslate_document))
        .route("/api/v1/stats", get(stats))
        .route("/api/v1/whoami", get(whoami))
}

type Answer<T> = std::result::Result<T, ApiError>;

/// A query string, its refusal as a JSON error.
fn query<T>(
    q: std::result::Result<Query<T>, axum::extract::rejection::QueryRejection>,
) -> Answer<T> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad_request(format!("the query string: {}", e.body_text())))
}

/// A JSON body, its refusal (malformed, wrong fields) as a JSON error.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Answer<T> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("the JSON body: {e}")))
}

/// A language pair as clients give it (`fr`, `en_GB`, `EN-gb`): checked,
/// in memoire's form (`en-gb`).
pub(super) fn language_pair(src: &str, tgt: &str) -> Answer<(String, String)> {
    let code = |name: &str, value: &str| {
        text::language_code(value).ok_or_else(|| {
            ApiError::bad_request(format!(
                "{name} {value:?} is not a language code (fr, en, en_GB, fr-CH…)"
            ))
        })
    };
    let (source, target) = (code("src", src)?, code("tgt", tgt)?);
    if source == target {
        return Err(ApiError::bad_request(format!(
            "src and tgt are both {source}: a memory pairs two languages"
        )));
    }
    Ok((source, target))
}

/// [`language_pair`] for what is written into the memory (learns,
/// imports): the codes must also name real languages
/// ([`text::known_language`]), so that a slip does not open a new pair.
pub(super) fn known_language_pair(src: &str, tgt: &str) -> Answer<(String, String)> {
    let (source, target) = language_pair(src, tgt)?;
    for (name, code) in [("src", &source), ("tgt", &target)] {
        if !text::known_language(code) {
            return Err(ApiError::bad_request(format!(
                "{name} {code:?} is not a known language (ISO 639: fr, en, de, it, rm, gsw…)"
            )));
        }
    }
    Ok((source, target))
}

/// A text to look up: not empty, not longer than the server allows.
pub(super) fn checked_text<'t>(state: &AppState, name: &str, text: &'t str) -> Answer<&'t str> {
    if text.trim().is_empty() {
        return Err(ApiError::bad_request(format!("{name} is empty")));
    }
    let limit = state.config.max_text;
    if text.chars().count() > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("{name} is longer than {limit} characters"),
        ));
    }
    Ok(text)
}

async fn health(State(state): State<Arc<AppState>>) -> Answer<Json<Value>> {
    let schema = state.read(|s| s.schema_version()).await?;
    Ok(Json(serde_json::json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "schema_version": schema,
    })))
}

async fn whoami(axum::Extension(caller): axum::Extension<super::Caller>) -> Answer<Json<Value>> {
    let caller = caller.require(Role::Read)?;
    Ok(Json(
        serde_json::json!({"user": caller.user, "role": caller.role}),
    ))
}

fn default_src() -> String {
    "fr".to_string()
}
fn default_tgt() -> String {
    "en".to_string()
}
fn default_threshold() -> u8 {
    75
}
fn default_limit() -> usize {
    5
}

/// The query strings refuse a parameter they do not know: a misspelt
/// one (`source_lang=de`) was ignored, and the defaults used in silence.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupQuery {
    q: String,
    #[serde(default = "default_src")]
    src: String,
    #[serde(default = "default_tgt")]
    tgt: String,
    #[serde(default = "default_threshold")]
    threshold: u8,
    #[serde(default = "default_limit")]
    limit: usize,
}

async fn lookup(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    q: std::result::Result<Query<LookupQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<Vec<fuzzy::Match>>> {
    caller.require(Role::Read)?;
    let q = query(q)?;
    checked_text(&state, "q", &q.q)?;
    let (src, tgt) = language_pair(&q.src, &q.tgt)?;
    if !(50..=100).contains(&q.threshold) {
        return Err(ApiError::bad_request("threshold is a score from 50 to 100"));
    }
    let limit = q.limit.clamp(1, 100);
    let searcher = Arc::clone(&state);
    let matches = state
        .read(move |store| {
            searcher.search(
                store,
                &fuzzy::Query {
                    text: &q.q,
                    source_lang: &src,
                    target_lang: &tgt,
                    threshold: q.threshold,
                    limit,
                    exhaustive: false,
                },
            )
        })
        .await?;
    Ok(Json(matches))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConcordanceQuery {
    q: String,
    #[serde(default = "default_src")]
    src: String,
    #[serde(default = "default_tgt")]
    tgt: String,
    #[serde(default)]
    limit: Option<usize>,
}

async fn concordance(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    q: std::result::Result<Query<ConcordanceQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<Vec<fuzzy::Occurrence>>> {
    caller.require(Role::Read)?;
    let q = query(q)?;
    checked_text(&state, "q", &q.q)?;
    if text::tokens(&q.q).is_empty() {
        return Err(ApiError::bad_request("q holds no word to look for"));
    }
    let (src, tgt) = language_pair(&q.src, &q.tgt)?;
    let limit = q.limit.unwrap_or(20).clamp(1, 500);
    let found = state
        .read_long(move |store| fuzzy::concordance(store, &q.q, &src, &tgt, limit))
        .await?;
    Ok(Json(found.occurrences))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermsQuery {
    q: String,
    #[serde(default = "default_src")]
    src: String,
    #[serde(default = "default_tgt")]
    tgt: String,
    #[serde(default)]
    limit: Option<usize>,
}

async fn terms(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    q: std::result::Result<Query<TermsQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<Value>> {
    caller.require(Role::Read)?;
    let q = query(q)?;
    checked_text(&state, "q", &q.q)?;
    let (src, tgt) = language_pair(&q.src, &q.tgt)?;
    let limit = q.limit.unwrap_or(10).clamp(1, 200);
    let hits = state
        .read(move |store| {
            let glossary = Glossary::new(store.terms(&src, &tgt)?, Side::Source, &src);
            serde_json::to_value(glossary.lookup(&q.q, limit))
                .map_err(|e| crate::Error::new(crate::Kind::Internal, e.to_string()))
        })
        .await?;
    Ok(Json(hits))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindRequest {
    text: String,
    #[serde(default = "default_src")]
    src: String,
    #[serde(default = "default_tgt")]
    tgt: String,
}

async fn terms_find(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    body: Bytes,
) -> Answer<Json<Value>> {
    caller.require(Role::Read)?;
    let request: FindRequest = json_body(&body)?;
    checked_text(&state, "text", &request.text)?;
    let (src, tgt) = language_pair(&request.src, &request.tgt)?;
    let found = state
        .read(move |store| {
            let glossary = Glossary::new(store.terms(&src, &tgt)?, Side::Source, &src);
            let found: Vec<Value> = glossary
                .find(&request.text)
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "text": &request.text[f.start..f.end],
                        "found": f,
                    })
                })
                .collect();
            Ok(found)
        })
        .await?;
    Ok(Json(Value::Array(found)))
}

/// One pair to learn, as a client sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LearnPair {
    source: String,
    target: String,
    #[serde(default = "default_src")]
    src: String,
    #[serde(default = "default_tgt")]
    tgt: String,
    #[serde(default)]
    previous: Option<String>,
    #[serde(default)]
    next: Option<String>,
    /// A label for where it comes from (an article's name); default
    /// `memoire serve`.
    #[serde(default)]
    origin: Option<String>,
}

enum LearnRequest {
    One(LearnPair),
    Many(Vec<LearnPair>),
}

/// A learn body: one pair or a list. Refused with what serde says of the
/// form it has (a list's bad pair, by its place and field), not with the
/// untagged enum's "did not match any variant" (a new user's report).
fn learn_body(body: &[u8]) -> Answer<LearnRequest> {
    let pair = |value: serde_json::Value, place: Option<usize>| {
        let at = place.map_or(String::new(), |k| format!("pair {} of the list: ", k + 1));
        // serde would also take a pair written as a list of its fields:
        // a list of two sentences would then be learnt as one pair (the
        // adversary's report).
        if !value.is_object() {
            return Err(ApiError::bad_request(format!(
                "the JSON body: {at}a pair is an object {{\"source\": …, \"target\": …}}"
            )));
        }
        serde_json::from_value::<LearnPair>(value)
            .map_err(|e| ApiError::bad_request(format!("the JSON body: {at}{e}")))
    };
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(pairs)) => Ok(LearnRequest::Many(
            (pairs.into_iter().enumerate())
                .map(|(k, value)| pair(value, Some(k)))
                .collect::<Answer<Vec<LearnPair>>>()?,
        )),
        Ok(value) => pair(value, None).map(LearnRequest::One),
        Err(e) => Err(ApiError::bad_request(format!("the JSON body: {e}"))),
    }
}

#[derive(Serialize)]
struct Learnt {
    learnt: usize,
    outcomes: Vec<&'static str>,
}

/// The origin of pairs learnt through the server, unless the client names
/// one.
const SERVER_ORIGIN: &str = "memoire serve";

/// `POST /api/v1/learn`: one pair or a list, in one transaction; every
/// pair checked first, so that a bad one teaches nothing.
async fn learn(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    q: std::result::Result<Query<DraftQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Answer<Response> {
    let caller = caller.require(Role::Translate)?;
    let q = query(q)?;
    // A reviewed draft (XLIFF, or the review table in Word): its confirmed
    // segments, as `memoire import` learns them.
    if let Some(name) = q.name {
        let lower = name.to_ascii_lowercase();
        if ![".xlf", ".xliff", ".docx"]
            .iter()
            .any(|e| lower.ends_with(e))
        {
            return Err(ApiError::bad_request(
                "learn takes pairs as JSON, or a reviewed draft named .xlf, .xliff or .docx (the \
                 review table); other files go to /api/v1/import",
            ));
        }
        let (src, tgt) = known_language_pair(&q.src, &q.tgt)?;
        let dir = tempfile::tempdir()
            .map_err(|e| ApiError::internal(format!("no temporary folder: {e}")))?;
        let path = dir.path().join(file_name(&name)?);
        std::fs::write(&path, &body)
            .map_err(|e| ApiError::internal(format!("cannot store the upload: {e}")))?;
        let answer = import_saved(&state, caller.user, &dir, path, src, tgt, None).await?;
        return Ok(Json(answer).into_response());
    }
    let pairs = match learn_body(&body)? {
        LearnRequest::One(pair) => vec![pair],
        LearnRequest::Many(pairs) => pairs,
    };
    if pairs.is_empty() {
        return Err(ApiError::bad_request("nothing to learn: the list is empty"));
    }
    let mut checked = Vec::with_capacity(pairs.len());
    for (k, pair) in pairs.into_iter().enumerate() {
        let at = |why: String| ApiError::bad_request(format!("pair {}: {why}", k + 1));
        for (name, value) in [("source", &pair.source), ("target", &pair.target)] {
            checked_text(&state, name, value).map_err(|e| at(e.message))?;
        }
        for (name, value) in [
            ("previous", &pair.previous),
            ("next", &pair.next),
            ("origin", &pair.origin),
        ] {
            let limit = if name == "origin" {
                200
            } else {
                state.config.max_text
            };
            if value.as_ref().is_some_and(|v| v.chars().count() > limit) {
                return Err(at(format!("the {name} is longer than {limit} characters")));
            }
        }
        for (name, value) in [
            ("source", Some(&pair.source)),
            ("target", Some(&pair.target)),
            ("previous", pair.previous.as_ref()),
            ("next", pair.next.as_ref()),
            ("origin", pair.origin.as_ref()),
        ] {
            if let Some(c) = value.and_then(|v| v.chars().find(|&c| text::forbidden_char(c))) {
                return Err(at(format!(
                    "the {name} holds a {}",
                    text::describe_forbidden(c)
                )));
            }
        }
        let (src, tgt) = known_language_pair(&pair.src, &pair.tgt).map_err(|e| at(e.message))?;
        checked.push((pair, src, tgt));
    }
    let user = caller.user.clone();
    let outcomes = state
        .write(move |store| {
            let mut batch = store.begin_import()?;
            let mut outcomes = Vec::with_capacity(checked.len());
            for (pair, src, tgt) in &checked {
                let added = batch.add(&NewPair {
                    source_lang: src,
                    target_lang: tgt,
                    source: &pair.source,
                    target: &pair.target,
                    origin: pair.origin.as_deref().unwrap_or(SERVER_ORIGIN),
                    prev_source: pair.previous.as_deref(),
                    next_source: pair.next.as_deref(),
                    created_by: user.as_deref(),
                    // A translator confirming the same sentence again, in
                    // the same place, corrects their earlier translation.
                    replace_same_origin: true,
                    ..NewPair::default()
                })?;
                outcomes.push(match added {
                    Added::New => "new",
                    Added::Alternative => "alternative",
                    Added::Duplicate => "duplicate",
                    Added::ContextLearnt => "context",
                    Added::Updated => "updated",
                });
            }
            batch.commit()?;
            Ok(outcomes)
        })
        .await?;
    let learnt = outcomes.iter().filter(|o| **o != "duplicate").count();
    Ok(Json(Learnt { learnt, outcomes }).into_response())
}

/// `learn`'s query: a reviewed draft's name, when the body is one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftQuery {
    #[serde(default)]
    name: Option<String>,
    #[serde(default = "default_src")]
    src: String,
    #[serde(default = "default_tgt")]
    tgt: String,
}

/// A file name from a client: its last component, never a path.
fn file_name(name: &str) -> Answer<String> {
    std::path::Path::new(name)
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty() && n.len() <= 200 && !n.chars().any(char::is_control))
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::bad_request(
                "name is the file's name, as memory.tmx (at most 200 bytes, no control characters)",
            )
        })
}

/// Import the file saved at `path` (in `dir`) in one transaction; the
/// answer carries the rejected rows and the rejects file.
async fn import_saved(
    state: &Arc<AppState>,
    user: Option<String>,
    dir: &tempfile::TempDir,
    path: std::path::PathBuf,
    src: String,
    tgt: String,
    origin: Option<String>,
) -> Answer<ImportAnswer> {
    let rejects = dir.path().join("rejects");
    let options = ImportOptions {
        source_lang: src,
        target_lang: tgt,
        origin,
        rejects: Some(rejects.clone()),
        user,
        ..ImportOptions::default()
    };
    // Messages name the file as the client did, not the server's
    // temporary folder.
    let folder = format!("{}/", dir.path().display());
    let report = state
        .write(move |store| {
            let file = import::open_memory_file(&path, &options)?;
            import::import_pairs(store, file, &options, &mut |_| {})
        })
        .await
        .map_err(|mut e| {
            e.message = e.message.replace(&folder, "");
            e
        })?;
    let rejects = std::fs::read(&rejects)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    Ok(ImportAnswer {
        described: report.described.clone(),
        rows_read: report.rows_read,
        added: report.added,
        alternatives: report.alternatives,
        duplicates: report.duplicates,
        updated: report.updated,
        rejected: report
            .rejected
            .iter()
            .map(|r| serde_json::json!({"line": r.line, "reason": r.reason}))
            .collect(),
        rejects,
        warnings: report.warnings.clone(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    /// The file's name: its extension picks the format (csv, tsv, tmx,
    /// xlf, docx for a review table).
    name: String,
    #[serde(default = "default_src")]
    src: String,
    #[serde(default = "default_tgt")]
    tgt: String,
    #[serde(default)]
    origin: Option<String>,
}

#[derive(Serialize)]
struct ImportAnswer {
    described: String,
    rows_read: u64,
    added: u64,
    alternatives: u64,
    duplicates: u64,
    updated: u64,
    rejected: Vec<Value>,
    /// The rejected rows as the file held them (the rejects file).
    rejects: Option<String>,
    warnings: Vec<String>,
}

/// `POST /api/v1/import?name=FILE`: the body is the file, written to a
/// temporary file as it arrives (a client that goes away leaves nothing),
/// then imported in one transaction like `memoire import`.
async fn import_file(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    headers: HeaderMap,
    q: std::result::Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Answer<Response> {
    let caller = caller.require(Role::Admin)?;
    let q = query(q).map_err(|mut e| {
        e.message
            .push_str(" (give ?name=FILE.csv|.tmx|.xlf…: its extension picks the format)");
        e
    })?;
    let (src, tgt) = known_language_pair(&q.src, &q.tgt)?;
    let name = file_name(&q.name)?;
    if headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"))
    {
        return Err(ApiError::bad_request(
            "send the file itself as the request body (curl --data-binary @FILE), not a form",
        ));
    }
    let dir =
        tempfile::tempdir().map_err(|e| ApiError::internal(format!("no temporary folder: {e}")))?;
    let path = dir.path().join(&name);
    receive(body, &path, state.config.max_body).await?;
    let origin = Some(q.origin.unwrap_or(name));
    let answer = import_saved(&state, caller.user, &dir, path, src, tgt, origin).await?;
    Ok(Json(answer).into_response())
}

/// Write a request body to `path` as it arrives.
/// Read `body` chunk by chunk, giving each to `write`: at most `limit`
/// bytes (a chunked body declares no length: counted as it comes).
async fn each_chunk(
    body: Body,
    limit: usize,
    mut write: impl FnMut(&[u8]) -> Answer<()>,
) -> Answer<usize> {
    use http_body_util::BodyExt as _;
    let mut body = body;
    let mut received = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            let text = e.to_string();
            if text.contains("length limit") {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "the file is larger than the server's limit",
                )
            } else {
                ApiError::bad_request(format!("the upload stopped: {text}"))
            }
        })?;
        if let Ok(data) = frame.into_data() {
            received += data.len();
            if received > limit {
                return Err(ApiError::too_large(limit));
            }
            write(&data)?;
        }
    }
    Ok(received)
}

/// A body whole, in memory, of at most `limit` bytes.
async fn receive_bytes(body: Body, limit: usize) -> Answer<Bytes> {
    let mut all = Vec::new();
    each_chunk(body, limit, |data| {
        all.extend_from_slice(data);
        Ok(())
    })
    .await?;
    Ok(Bytes::from(all))
}

async fn receive(body: Body, path: &std::path::Path, limit: usize) -> Answer<()> {
    use std::io::Write as _;
    let store_err = |e: std::io::Error| ApiError::internal(format!("cannot store the upload: {e}"));
    let mut file = std::fs::File::create(path).map_err(store_err)?;
    let received = each_chunk(body, limit, |data| file.write_all(data).map_err(store_err)).await?;
    if received == 0 {
        return Err(ApiError::bad_request(
            "the upload is empty: send the file itself as the request body (curl \
             --data-binary @FILE)",
        ));
    }
    file.sync_all().map_err(store_err)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PretranslateQuery {
    /// The article's file name: its extension picks how it is read (txt,
    /// docx, odt, html, xml). Without it, the body is plain text.
    #[serde(default = "default_name")]
    name: String,
    #[serde(default = "default_src")]
    src: String,
    #[serde(default = "default_tgt")]
    tgt: String,
    /// json (default), xliff, xliff1, csv, tsv, text, html, document,
    /// review-docx.
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    threshold: Option<u8>,
}

fn default_name() -> String {
    "article.txt".to_string()
}

/// `POST /api/v1/pretranslate?name=ARTICLE`: the article in the body, the
/// draft out in the format asked for.
async fn pretranslate_document(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    q: std::result::Result<Query<PretranslateQuery>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Answer<Response> {
    caller.require(Role::Read)?;
    let q = query(q)?;
    let (src, tgt) = language_pair(&q.src, &q.tgt)?;
    let doc_format = DocFormat::of_path(std::path::Path::new(&q.name)).unwrap_or(DocFormat::Text);
    let format = q.format.clone().unwrap_or_else(|| "json".to_string());
    let (content_type, extension) = match format.as_str() {
        "json" => ("application/json", "json"),
        "xliff" => ("application/xliff+xml", "xlf"),
        "xliff1" => ("application/x-xliff+xml", "xlf"),
        "csv" => ("text/csv; charset=utf-8", "csv"),
        "tsv" => ("text/tab-separated-values; charset=utf-8", "tsv"),
        "text" => ("text/plain; charset=utf-8", "txt"),
        "html" => ("text/html; charset=utf-8", "html"),
        "review-docx" => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        "document" => (doc_format.media_type(), doc_format.extension()),
        other => {
            return Err(ApiError::bad_request(format!(
                "format {other:?}: choose json, xliff, xliff1, csv, tsv, text, html, document or \
                 review-docx"
            )));
        }
    };
    let threshold = q.threshold.unwrap_or(75);
    if !(50..=100).contains(&threshold) {
        return Err(ApiError::bad_request("threshold is a score from 50 to 100"));
    }
    // The body is read once there is room for the job: requests waiting
    // their turn behind long ones hold no uploads (adversary: 16 waiting
    // uploads of 46 MB took the server to 1.7 GB).
    let room = state.long_room().await?;
    let body = receive_bytes(body, state.config.max_body).await?;
    if doc_format == DocFormat::Text && body.starts_with(b"PK\x03\x04") {
        // A new user's report: the reader's own refusal names the
        // command line's --input-format.
        return Err(ApiError::bad_request(
            "the body is a ZIP file (a Word or OpenDocument file?), read as plain text: give its \
             file name, e.g. name=article.docx or name=article.odt",
        ));
    }
    let name = q.name.clone();
    let bytes = state
        .read_long_in(room, move |store| {
            let doc = document::read_bytes(&body, doc_format)?;
            if doc.paragraphs().is_empty() {
                return Err(crate::Error::new(
                    crate::Kind::Input,
                    "the article has no text to translate",
                ));
            }
            let options = Options {
                source_lang: &src,
                target_lang: &tgt,
                threshold,
                headline_split: true,
                weights: Weights::default(),
            };
            let draft =
                pretranslate::pretranslate_document(store, &name, doc.paragraphs(), &options)?;
            let mut out = Vec::new();
            let written = match format.as_str() {
                "json" => serde_json::to_writer(&mut out, &draft).map_err(std::io::Error::from),
                "xliff" => crate::format::xliff::write_xliff2(&mut out, &draft),
                "xliff1" => crate::format::xliff::write_xliff12(&mut out, &draft),
                "csv" => crate::format::draft::write_table(&mut out, &draft, b',', true, false),
                "tsv" => crate::format::draft::write_table(&mut out, &draft, b'\t', true, false),
                "text" => crate::format::draft::write_text(&mut out, &draft),
                "html" => crate::format::draft::write_html(&mut out, &draft),
                "review-docx" => crate::format::review::write_review_docx(&mut out, &draft),
                _ => {
                    let targets = draft.paragraph_targets();
                    doc.write(&targets, (&src, &tgt), &mut out)?;
                    Ok(())
                }
            };
            written.map_err(|e| crate::Error::new(crate::Kind::Internal, e.to_string()))?;
            Ok(out)
        })
        .await?;
    let stem = std::path::Path::new(&q.name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("article")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .collect::<String>();
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{stem}.{tgt}.{extension}\"",
                    tgt = q.tgt
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn stats(
    State(state): State<Arc<AppState>>,
    axum::Extension(caller): axum::Extension<super::Caller>,
) -> Answer<Json<Value>> {
    caller.require(Role::Read)?;
    let stats = state.read_long(|s| s.stats()).await?;
    serde_json::to_value(stats)
        .map(Json)
        .map_err(|e| ApiError::internal(e.to_string()))
}
