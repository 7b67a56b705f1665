//! (feature `axum`) [`SessionHandle`] as an axum extractor: a thin
//! `FromRequestParts` over the [`LazySession`] the layer put in the
//! request's extensions.

use axum_core::extract::FromRequestParts;
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::sessions::store::StoreError;
use crate::web::tower::{LazySession, SessionHandle, Typed, http_status};

/// Loads the request's session (see [`LazySession::load`]): a bad cookie
/// is an empty session, never a rejection.
impl<St: Send + Sync> FromRequestParts<St> for SessionHandle {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        let lazy = parts
            .extensions
            .get::<LazySession>()
            .cloned()
            .ok_or(SessionRejection::MissingLayer)?;
        lazy.load(&parts.headers)
            .await
            .map_err(SessionRejection::Unavailable)
    }
}

/// The whole session as one value: [`Typed::load`] over the extracted
/// handle (rejections as [`SessionHandle`]'s).
impl<St: Send + Sync, T> FromRequestParts<St> for Typed<T>
where
    T: crate::SessionValue + Default + Send,
{
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        SessionHandle::from_request_parts(parts, state)
            .await
            .map(Typed::load)
    }
}

/// Why [`SessionHandle`] could not be extracted. Take
/// `Result<SessionHandle, SessionRejection>` in a handler to answer
/// otherwise.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionRejection {
    /// The router has no [`SessionLayer`](crate::layer::SessionLayer): a
    /// programming error, answered 500 with a text that says so.
    MissingLayer,
    /// The store did not answer ([`StoreError::Backend`]): answered 503.
    Unavailable(StoreError),
}

impl core::fmt::Display for SessionRejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SessionRejection::MissingLayer => f.write_str(MISSING_LAYER),
            SessionRejection::Unavailable(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for SessionRejection {}

const MISSING_LAYER: &str = "SessionHandle needs securecookie's SessionLayer: add \
    `.layer(SessionLayer::new(store, \"cookie-name\"))` to the router, around this route";

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        match self {
            SessionRejection::MissingLayer => {
                tracing::error!(target: "securecookie", "{MISSING_LAYER}");
                (StatusCode::INTERNAL_SERVER_ERROR, MISSING_LAYER).into_response()
            }
            SessionRejection::Unavailable(e) => {
                let status = http_status(crate::sessions::engine::unavailable(&e));
                (status, "session store unavailable").into_response()
            }
        }
    }
}
