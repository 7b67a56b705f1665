//! The login demo of `examples/server.rs` in actix-web 4: the same pages,
//! forms, CSRF tokens, settings and stores, on
//! [`SessionMiddleware`](securecookie::actix::SessionMiddleware) and the
//! [`SessionHandle`] extractor.
//!
//! ```text
//! cargo run --example actix --features actix
//! ```
//!
//! The routes and the environment (`ADDR`, `SESSION_SECRET` or
//! `SESSION_HASH_KEY`/`SESSION_BLOCK_KEY`, `INSECURE_COOKIES`,
//! `SESSION_STORE` with `--features actix,redis`, `actix,sqlite` or
//! `actix,postgres`) are the axum demo's: see `examples/server.rs`. The
//! pages themselves live in `examples/common/`, shared by both; this file
//! only routes them. The browser test (`tests/browser.rs`) runs [`serve`].

#[path = "common/mod.rs"]
mod common;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::http::header::{COOKIE, ContentType, LOCATION, USER_AGENT};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use securecookie::CookieConfig;
use securecookie::SessionStore;
use securecookie::actix::{SessionHandle, SessionMiddleware};

pub use common::{Demo, Reply, SESSION, Settings, UserSessions};

/// The demo on `store`, served on `listener` with CSRF protection (the
/// anonymous visitor's CSRF cookie gets `cookie`'s attributes), "your
/// sessions" when `sessions` is given. Await the server (from an actix
/// runtime: `actix_web::rt::System`) to run it.
pub fn serve<S: SessionStore>(
    listener: TcpListener,
    store: S,
    about: String,
    sessions: Option<Arc<dyn UserSessions>>,
    cookie: CookieConfig,
) -> std::io::Result<Server> {
    let middleware = SessionMiddleware::new(store, SESSION).csrf(cookie);
    let demo = web::Data::new(Demo {
        about,
        sessions,
        made_with: "actix-web and one <code>SessionMiddleware</code>",
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(demo.clone())
            .wrap(middleware.clone())
            .route("/", web::get().to(index))
            .route("/login", web::post().to(login))
            .route("/welcome", web::get().to(welcome))
            .route("/logout", web::post().to(logout))
            .route("/sessions/revoke", web::post().to(revoke_one))
            .route("/sessions/others", web::post().to(revoke_others))
    })
    .workers(2)
    .listen(listener)?
    .run();
    Ok(server)
}

/// A shared page's [`Reply`] as an actix-web response.
fn respond(reply: Reply) -> HttpResponse {
    let status = |code| StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match reply {
        Reply::Page(code, html) => HttpResponse::build(status(code))
            .content_type(ContentType::html())
            .body(html),
        Reply::SeeOther(path) => HttpResponse::SeeOther()
            .insert_header((LOCATION, path))
            .finish(),
        Reply::Text(code, text) => HttpResponse::build(status(code))
            .content_type(ContentType::plaintext())
            .body(text),
        Reply::Status(code) => HttpResponse::new(status(code)),
    }
}

/// The `Cookie` header values ("your sessions" marks this one).
fn cookies(request: &HttpRequest) -> Vec<&str> {
    request
        .headers()
        .get_all(COOKIE)
        .filter_map(|v| v.to_str().ok())
        .collect()
}

async fn index(demo: web::Data<Demo>, session: SessionHandle) -> HttpResponse {
    respond(demo.index(&session))
}

async fn login(
    demo: web::Data<Demo>,
    request: HttpRequest,
    session: SessionHandle,
    body: String,
) -> HttpResponse {
    let agent = request
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok());
    respond(demo.login(&session, agent, &body))
}

async fn welcome(
    demo: web::Data<Demo>,
    request: HttpRequest,
    session: SessionHandle,
) -> HttpResponse {
    respond(demo.welcome(&session, &cookies(&request)).await)
}

async fn revoke_one(
    demo: web::Data<Demo>,
    request: HttpRequest,
    session: SessionHandle,
    body: String,
) -> HttpResponse {
    respond(demo.revoke_one(&session, &cookies(&request), &body).await)
}

async fn revoke_others(
    demo: web::Data<Demo>,
    request: HttpRequest,
    session: SessionHandle,
) -> HttpResponse {
    respond(demo.revoke_others(&session, &cookies(&request)).await)
}

async fn logout(demo: web::Data<Demo>, session: SessionHandle) -> HttpResponse {
    respond(demo.logout(&session))
}

/// The server, on whichever store `SESSION_STORE` selects.
struct Actix {
    listener: TcpListener,
    about: String,
    cookie: CookieConfig,
}

impl common::Framework for Actix {
    type App = std::io::Result<Server>;

    fn app<S: SessionStore>(
        self,
        store: S,
        sessions: Option<Arc<dyn UserSessions>>,
    ) -> std::io::Result<Server> {
        serve(self.listener, store, self.about, sessions, self.cookie)
    }
}

fn main() -> Result<(), String> {
    let settings = Settings::from_env(|name| std::env::var(name).ok())?;
    settings.warn();
    let listener = TcpListener::bind(&settings.addr)
        .map_err(|e| format!("cannot listen on {}: {e}", settings.addr))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let actix = Actix {
        listener,
        about: settings.about(),
        cookie: settings.config.clone(),
    };
    actix_web::rt::System::new().block_on(async {
        let server = settings.build(actix, "actix", "actix").await?;
        let server = server.map_err(|e| e.to_string())?;
        println!("listening on http://{addr}");
        server.await.map_err(|e| e.to_string())
    })
}
