//! Requests through an axum `Router` in process (`tower::ServiceExt::oneshot`),
//! shared by the layer tests of the cookie and the server-side stores.

use axum::Router;
use axum::body::Body;
use axum::http::header::COOKIE;
use axum::http::{Request, Response};
use tower::ServiceExt;

/// `GET path`, with `cookie` as the `Cookie` header when given.
pub async fn call(app: &Router, path: &str, cookie: Option<&str>) -> Response<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    app.clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

/// The response body as text.
pub async fn text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}
