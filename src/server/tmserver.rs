//! The amaGama / tmserver API, as Weblate's and Virtaal's "tmserver"
//! clients call it:
//!
//! - `GET /tmserver/languages/` → `{"sourceLanguages": […],
//!   "targetLanguages": […]}`, codes as those clients write them (`fr`,
//!   `en_gb`);
//! - `GET /tmserver/{src}/{tgt}/unit/{text}?min_similarity=&max_candidates=`
//!   → `[{"source", "target", "quality", "rank"}]`, best first.
//!
//! Those clients send no header: the same routes also live under
//! `/t/{token}/`, the URL a desk pastes into Weblate's settings.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::api::language_pair;
use super::{ApiError, AppState, Caller};
use crate::auth::Role;
use crate::fuzzy;
use crate::text;
use axum::Extension;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        // (Weblate asks with the slash; a person trying it by hand, often
        // without: new user.)
        .route("/tmserver/languages/", get(languages))
        .route("/tmserver/languages", get(languages))
        .route("/tmserver/{src}/{tgt}/unit/{*text}", get(unit))
        .route("/t/{token}/tmserver/languages/", get(languages_with_token))
        .route("/t/{token}/tmserver/languages", get(languages_with_token))
        .route(
            "/t/{token}/tmserver/{src}/{tgt}/unit/{*text}",
            get(unit_with_token),
        )
}

type Answer<T> = std::result::Result<T, ApiError>;

/// The codes a memory's language answers, as the clients write them: a
/// plain code (`en`) also answers its usual regional variants (`en_gb`,
/// `en_us`…), since Weblate asks only for the pairs this list names.
fn with_regions(code: &str) -> Vec<String> {
    const REGIONS: &[(&str, &[&str])] = &[
        ("en", &["gb", "us", "au", "ca", "ie", "nz", "za", "in"]),
        ("fr", &["fr", "ch", "be", "ca", "lu"]),
        ("de", &["de", "ch", "at", "li"]),
        ("it", &["it", "ch"]),
        ("es", &["es", "mx", "ar", "419"]),
        ("pt", &["pt", "br"]),
        ("nl", &["nl", "be"]),
    ];
    let mut codes = vec![client_code(code)];
    if let Some((_, regions)) = REGIONS.iter().find(|(plain, _)| *plain == code) {
        codes.extend(regions.iter().map(|r| format!("{code}_{r}")));
    }
    codes
}

/// A language code as the tmserver clients write it: lower case, `_`.
fn client_code(code: &str) -> String {
    code.replace('-', "_").to_ascii_lowercase()
}

async fn languages(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Answer<Json<Value>> {
    list_languages(state, caller).await
}

async fn languages_with_token(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Answer<Json<Value>> {
    list_languages(state, caller).await
}

async fn list_languages(state: Arc<AppState>, caller: Caller) -> Answer<Json<Value>> {
    caller.require(Role::Read)?;
    let pairs = state.read(|s| s.language_pairs()).await?;
    let sources: BTreeSet<String> = pairs.iter().flat_map(|(s, _)| with_regions(s)).collect();
    let targets: BTreeSet<String> = pairs.iter().flat_map(|(_, t)| with_regions(t)).collect();
    Ok(Json(serde_json::json!({
        "sourceLanguages": sources,
        "targetLanguages": targets,
    })))
}

#[derive(Deserialize)]
struct UnitQuery {
    #[serde(default)]
    min_similarity: Option<u8>,
    #[serde(default)]
    max_candidates: Option<usize>,
}

/// One suggestion, as amaGama answers.
#[derive(Serialize)]
struct Suggestion {
    source: String,
    target: String,
    quality: u8,
    rank: u8,
}

async fn unit(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path((src, tgt, text)): Path<(String, String, String)>,
    q: std::result::Result<Query<UnitQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<Vec<Suggestion>>> {
    suggest(state, caller, (src, tgt, text), q).await
}

async fn unit_with_token(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path((_token, src, tgt, text)): Path<(String, String, String, String)>,
    q: std::result::Result<Query<UnitQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<Vec<Suggestion>>> {
    suggest(state, caller, (src, tgt, text), q).await
}

async fn suggest(
    state: Arc<AppState>,
    caller: Caller,
    (src, tgt, text): (String, String, String),
    q: std::result::Result<Query<UnitQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer<Json<Vec<Suggestion>>> {
    caller.require(Role::Read)?;
    let Query(q) =
        q.map_err(|e| ApiError::bad_request(format!("the query string: {}", e.body_text())))?;
    super::api::checked_text(&state, "the text", &text)?;
    let (src, tgt) = language_pair(&src, &tgt)?;
    // amaGama's defaults.
    let threshold = q.min_similarity.unwrap_or(70).clamp(1, 100);
    let limit = q.max_candidates.unwrap_or(5).clamp(1, 50);
    let searcher = Arc::clone(&state);
    let matches = state
        .read(move |store| {
            // The memory's own codes for the pair asked (`en_gb` finds `en`
            // pairs when the memory holds no `en-gb`).
            let Some((src, tgt)) = resolve(store.language_pairs()?, &src, &tgt) else {
                return Ok(None);
            };
            searcher
                .search(
                    store,
                    &fuzzy::Query {
                        text: &text,
                        source_lang: &src,
                        target_lang: &tgt,
                        threshold,
                        limit,
                        exhaustive: false,
                    },
                )
                .map(Some)
        })
        .await?;
    let Some(matches) = matches else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_language_pair",
            "the memory holds no pairs of this language pair (see /tmserver/languages/)",
        ));
    };
    Ok(Json(
        matches
            .into_iter()
            .map(|m| Suggestion {
                source: m.pair.source,
                target: m.adjusted_target.unwrap_or(m.pair.target),
                quality: m.score.min(100),
                rank: m.score.min(100),
            })
            .collect(),
    ))
}

/// The language pair of the memory that answers `src → tgt`: the same
/// codes, else the same primary languages when only one pair has them.
fn resolve(held: Vec<(String, String)>, src: &str, tgt: &str) -> Option<(String, String)> {
    if held.iter().any(|(s, t)| s == src && t == tgt) {
        return Some((src.to_string(), tgt.to_string()));
    }
    let primary = |code: &str| text::primary_language(code).to_string();
    let mut same: Vec<(String, String)> = held
        .into_iter()
        .filter(|(s, t)| primary(s) == primary(src) && primary(t) == primary(tgt))
        .collect();
    // Prefer the plain codes (`en` for `en_gb`), then any single one.
    if let Some(k) = same
        .iter()
        .position(|(s, t)| *s == primary(src) && *t == primary(tgt))
    {
        return Some(same.swap_remove(k));
    }
    (same.len() == 1).then(|| same.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regional_code_finds_the_plain_pair() {
        let held = vec![
            ("fr".to_string(), "en".to_string()),
            ("fr".to_string(), "de".to_string()),
        ];
        assert_eq!(
            resolve(held.clone(), "fr", "en-gb"),
            Some(("fr".to_string(), "en".to_string()))
        );
        assert_eq!(resolve(held, "fr", "it"), None);
        assert_eq!(client_code("en-GB"), "en_gb");
        assert!(with_regions("en").contains(&"en_gb".to_string()));
        assert_eq!(with_regions("fr-ch"), ["fr_ch"]);
    }
}
