//! The firmware's HTTP server on the host: picoserve on tokio, one task per
//! connection, on 127.0.0.1:PORT.
//!
//! ```text
//! SESSION_SECRET=... cargo run --features host --bin host -- PORT
//! ```
//!
//! `SESSION_SECRET`: hex or base64, as for the axum demo (the keys are
//! derived the same way, so the cookies are interchangeable);
//! `INSECURE_COOKIES=1` drops `Secure`.

use std::time::{SystemTime, UNIX_EPOCH};

use securecookie_firmware::securecookie::{Codec, Secret};
use securecookie_firmware::{Sessions, router};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn fill_iv(iv: &mut [u8; 16]) {
    // No randomness, no cookie: better to stop than to reuse an IV.
    getrandom::fill(iv).expect("the OS has randomness to give");
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .ok_or("usage: host PORT")?;
    let text = std::env::var("SESSION_SECRET")
        .map_err(|_| "set SESSION_SECRET (make one: cargo run --features cli -- keygen)")?;
    let secret = Secret::parse(&text).map_err(|e| format!("SESSION_SECRET: {e}"))?;
    let sessions = Sessions {
        // The native `CookieStore`'s limit: 7 days.
        codec: Codec::new(secret.keys()).max_age(securecookie_edge_app::MAX_AGE),
        clock: now,
        fill_iv,
        secure: std::env::var("INSECURE_COOKIES").as_deref() != Ok("1"),
    };
    let app = std::rc::Rc::new(router().with_state(sessions));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    println!("listening on http://127.0.0.1:{port}");
    static CONFIG: picoserve::Config = picoserve::Config::const_default();
    tokio::task::LocalSet::new()
        .run_until(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let app = app.clone();
                tokio::task::spawn_local(async move {
                    // The headers, a 4 KB cookie among them, must fit.
                    let mut buffer = [0u8; 8 * 1024];
                    let served = picoserve::Server::new_tokio(&app, &CONFIG, &mut buffer)
                        .serve(stream)
                        .await;
                    if let Err(e) = served {
                        eprintln!("connection: {e}");
                    }
                });
            }
        })
        .await
}
