//! The [`Viewer`] extractor (a logged-in account whose login is complete) and the
//! principal's question to the access module: [`Perm`] → [`Scope`] (`access::decide`).

pub use crate::access::{Perm, Scope};
use crate::error::AppError;
use crate::web::ctx::{Ctx, Principal};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// A logged-in account with a complete login, and the request context.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub ctx: Ctx,
    pub p: Principal,
}

impl Viewer {
    pub fn scope(&self, perm: Perm) -> Result<Scope, AppError> {
        self.p.scope(perm)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("session layer missing")))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let p = ctx
            .full_principal()
            .cloned()
            .ok_or(AppError::Unauthorized)?;
        Ok(Viewer { ctx, p })
    }
}
