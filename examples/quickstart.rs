use axum::response::{Html, Redirect};
use axum::routing::{get, post};
use axum::{Router, http::StatusCode};
use securecookie::layer::{SessionHandle, SessionLayer};
use securecookie::{CookieConfig, CookieStore, Secret};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct User {
    id: u64,
    name: String,
}

async fn index() -> Html<&'static str> {
    Html(r#"<form method="post" action="/login"><button>Log in</button></form>"#)
}

async fn login(session: SessionHandle) -> Redirect {
    let name = "Ada".to_string(); // in a real app, checked against your users
    session.set("user", User { id: 7, name }); // any serde type; saved after the handler
    session.renew(); // a privilege change: a fresh session
    Redirect::to("/welcome")
}

async fn welcome(session: SessionHandle) -> Result<Html<String>, StatusCode> {
    let user: User = session.get("user").ok_or(StatusCode::UNAUTHORIZED)?;
    Ok(Html(format!(
        r#"Welcome {}! <form method="post" action="/logout"><button>Log out</button></form>"#,
        user.name
    )))
}

async fn logout(session: SessionHandle) -> Redirect {
    session.destroy(); // the expiring cookie, with the same attributes
    Redirect::to("/")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 32+ random bytes, hex or base64: `securecookie keygen` makes one.
    let secret = Secret::from_env("SESSION_SECRET")?;
    let store: CookieStore = CookieStore::new(CookieConfig::default(), [secret.keys()])?;
    let app = Router::new()
        .route("/", get(index))
        .route("/login", post(login))
        .route("/welcome", get(welcome))
        .route("/logout", post(logout))
        .layer(SessionLayer::new(store, "my-app"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
