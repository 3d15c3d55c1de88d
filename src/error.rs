//! The one error type. Handlers return `Result<_, AppError>`; the response carries the
//! error as an extension, and `web::render::render_errors` turns it into an HTML page or
//! JSON in the caller's language, with a reference id that is also logged.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// One problem with one input field; `key` is a message key in `locales/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

impl FieldError {
    pub fn new(field: &'static str, key: &'static str) -> Self {
        Self { field, key }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    /// The thing exists but lies outside the caller's scope: shown as 404, audited as refused.
    #[error("outside scope")]
    OutOfScope,
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// A rule would be broken; the string is a message key.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("too many requests")]
    TooManyRequests,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: &'static str, key: &'static str) -> Self {
        AppError::Validation(vec![FieldError::new(field, key)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound | AppError::OutOfScope => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Stable machine-readable code, used in JSON and as the message key `error.<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound | AppError::OutOfScope => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden => "forbidden",
            AppError::Validation(_) => "validation",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => AppError::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                AppError::Conflict("error.duplicate")
            }
            // PostgreSQL refuses NUL characters (22021) and out-of-range dates or numbers
            // (22008, 22003) that SQLite would store: the input was bad, not the server.
            sqlx::Error::Database(d)
                if matches!(
                    d.code().as_deref(),
                    Some("22021" | "22008" | "22003" | "22P05")
                ) =>
            {
                AppError::field("input", "validation.bad_characters")
            }
            _ => AppError::Internal(e.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

/// What the renderer needs to describe an error; carried in response extensions.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub conflict_key: Option<&'static str>,
    pub fields: Vec<FieldError>,
    pub reference: String,
    /// A refused access that belongs in the audit trail.
    pub denied: bool,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let reference = crate::crypto::random_token(6);
        match &self {
            AppError::Internal(e) => tracing::error!(reference, error = ?e, "internal error"),
            other => tracing::debug!(reference, error = %other, "request refused"),
        }
        let info = ErrorInfo {
            code: self.code(),
            denied: matches!(self, AppError::Forbidden | AppError::OutOfScope),
            conflict_key: match &self {
                AppError::Conflict(k) => Some(*k),
                _ => None,
            },
            fields: match self {
                AppError::Validation(f) => f,
                _ => Vec::new(),
            },
            reference,
        };
        let mut resp = status.into_response();
        resp.extensions_mut().insert(info);
        resp
    }
}
