//! Postgres stopped in the middle of a load run, then started again
//! (issue 18 item 7), through the session layer: 503s while it is down,
//! no hang, no panic; once it is back, requests succeed without a restart
//! of the app and every session saved before the stop is still there.
//!
//! Its own test binary: it stops the shared server of `.ci/postgres`, so
//! nothing else may run beside it (cargo runs test binaries one by one).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use securecookie::layer::{SessionHandle, SessionLayer};
use securecookie::{CookieConfig, Keys, PostgresBackend, PostgresStore, ServerStore};
use tower::ServiceExt;

const NAME: &str = "app";

fn var(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!("{name} is not set: run through .ci/postgres"),
    }
}

/// `pg_ctl ... stop|start`, as `.ci/postgres` exported it.
fn pg_ctl(action: &[&str]) {
    let ctl = var("SECURECOOKIE_POSTGRES_CTL");
    let mut words = ctl.split_whitespace();
    let status = std::process::Command::new(words.next().unwrap())
        .args(words)
        .args(action)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "pg_ctl {action:?}");
}

fn app(store: PostgresStore) -> Router {
    Router::new()
        .route("/untouched", get(|| async { "hello" }))
        .route(
            "/login/{n}",
            get(
                |s: SessionHandle, axum::extract::Path(n): axum::extract::Path<String>| async move {
                    s.set("user-id", n);
                    s.renew();
                },
            ),
        )
        .route(
            "/welcome",
            get(|s: SessionHandle| async move {
                s.get::<String>("user-id").ok_or(StatusCode::UNAUTHORIZED)
            }),
        )
        .layer(SessionLayer::new(store, NAME))
}

async fn call(
    app: &Router,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, Option<String>, String) {
    let mut request = Request::get(path);
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, cookie, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Postgres: .ci/postgres cargo test --all-features -- --ignored"]
async fn postgres_stopped_mid_run_is_503_and_a_restart_heals() {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(2))
        .connect(&var("SECURECOOKIE_POSTGRES_URL"))
        .await
        .unwrap();
    let table = format!("f_{}", std::process::id());
    let backend = PostgresBackend::new(pool, "public", &table).unwrap();
    backend.migrate().await.unwrap();
    let keys = Keys::new(&[7; 32], Some(&[9; 32])).unwrap();
    let store: PostgresStore = ServerStore::with_backend(backend, CookieConfig::debug(), [keys])
        .unwrap()
        .user_key("user-id");
    let app = app(store);

    // Sessions saved before the stop.
    let mut saved = Vec::new();
    for n in 0..20 {
        let (status, cookie, _) = call(&app, &format!("/login/u{n}"), None).await;
        assert_eq!(status, StatusCode::OK);
        saved.push((format!("u{n}"), cookie.unwrap()));
    }
    let saved = Arc::new(saved);

    // A bounded load: 8 clients reading sessions and logging in until told
    // to stop; every answer is 200 or 503, each within 5 s.
    let done = Arc::new(AtomicBool::new(false));
    let (ok, unavailable, slowest) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let mut clients = Vec::new();
    for c in 0..8 {
        let (app, saved, done) = (app.clone(), saved.clone(), done.clone());
        let (ok, unavailable, slowest) = (ok.clone(), unavailable.clone(), slowest.clone());
        clients.push(tokio::spawn(async move {
            let mut i = c;
            while !done.load(Ordering::SeqCst) {
                let started = Instant::now();
                let (status, _, _) = if i % 3 == 0 {
                    call(&app, &format!("/login/load{i}"), None).await
                } else {
                    call(&app, "/welcome", Some(&saved[i % saved.len()].1)).await
                };
                let ms = started.elapsed().as_millis() as usize;
                slowest.fetch_max(ms, Ordering::SeqCst);
                match status {
                    StatusCode::OK => ok.fetch_add(1, Ordering::SeqCst),
                    StatusCode::SERVICE_UNAVAILABLE => unavailable.fetch_add(1, Ordering::SeqCst),
                    other => panic!("unexpected {other}"),
                };
                i += 8;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = ok.load(Ordering::SeqCst);
    assert!(before > 0, "no request succeeded before the stop");

    pg_ctl(&["stop", "-m", "fast", "-w"]);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let down = unavailable.load(Ordering::SeqCst);
    assert!(down > 0, "no 503 while Postgres was down");
    // Routes without sessions still work.
    assert_eq!(
        call(&app, "/untouched", Some(&saved[0].1)).await.0,
        StatusCode::OK
    );

    pg_ctl(&["start", "-w", "-t", "30"]);
    // Back: requests succeed again, without restarting the app.
    let healed = Instant::now();
    let ok_at_start = ok.load(Ordering::SeqCst);
    while ok.load(Ordering::SeqCst) < ok_at_start + 50 {
        assert!(
            healed.elapsed() < Duration::from_secs(20),
            "no recovery after the restart"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done.store(true, Ordering::SeqCst);
    for c in clients {
        tokio::time::timeout(Duration::from_secs(10), c)
            .await
            .expect("a client hung")
            .unwrap();
    }
    let slowest = slowest.load(Ordering::SeqCst);
    assert!(slowest < 5000, "a request took {slowest} ms");

    // No session saved before the stop was lost.
    for (user, cookie) in saved.iter() {
        let (status, _, body) = call(&app, "/welcome", Some(cookie)).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, user.as_str()));
    }
    eprintln!(
        "postgres fault run: {} ok, {} 503 (while down), slowest request {slowest} ms",
        ok.load(Ordering::SeqCst),
        unavailable.load(Ordering::SeqCst)
    );
}
