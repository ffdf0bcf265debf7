//! Errors as the API answers them: a status and a JSON body
//! `{"error": "kind", "message": "…"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::{Error, Kind};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            kind,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    pub fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the request is larger than the server's limit of {limit} bytes (memoire serve \
                 --max-upload MIB raises it)"
            ),
        )
    }
}

impl From<Error> for ApiError {
    /// The library's error kinds as statuses: the caller's input is a 4xx,
    /// a busy memory or a database server out of reach 503, the rest 500.
    fn from(err: Error) -> ApiError {
        let (status, kind) = match err.kind() {
            Kind::Input | Kind::Encoding => (StatusCode::BAD_REQUEST, "bad_request"),
            Kind::Rejected => (StatusCode::UNPROCESSABLE_ENTITY, "rejected"),
            Kind::Busy | Kind::Interrupted => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            Kind::Unavailable => {
                // Where the database is stays in the server's log: a caller
                // (perhaps without a valid token yet) gets no address.
                eprintln!("memoire: {err}");
                return ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the memory's database cannot be reached; try again shortly",
                );
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        ApiError::new(status, kind, err.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({"error": self.kind, "message": self.message})),
        )
            .into_response()
    }
}
