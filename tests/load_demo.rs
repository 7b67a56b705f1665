//! A bounded loopback load test of the demo server (`examples/server.rs`,
//! the real binary in its own process), with sessions in the cookie and in
//! Redis, one run: requests/s, p50 and p99 latency, errors, sessions lost,
//! and the server's resident memory after the warm-up and at the end.
//!
//! Not part of `cargo test` (ignored: it wants a release build and a
//! quiet machine); run it with `.ci/load`, which builds both and starts a
//! Redis:
//!
//! ```text
//! .ci/load                      # 20,000 requests at concurrency 50 per store
//! LOAD_REQUESTS=5000 .ci/load
//! ```
//!
//! Each client thread keeps one connection open and loops over a user's
//! visit, five requests: `POST /login` (a fresh user id), `GET /welcome`
//! twice (each must greet that user: else the session was lost), `POST
//! /logout`, then `GET /welcome` replaying the cookie from before the
//! logout: 401 on Redis (revoked), 200 on the cookie store (a cookie
//! cannot be revoked; that is the difference shown).

#[path = "common/redis.rs"]
mod redis_common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const HASH_HEX: &str = "0707070707070707070707070707070707070707070707070707070707070707";
const BLOCK_HEX: &str = "0909090909090909090909090909090909090909090909090909090909090909";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    reader: BufReader<TcpStream>,
}

struct Reply {
    status: u16,
    /// `name=value` of the `Set-Cookie`, if any.
    cookie: Option<String>,
    body: String,
}

impl Conn {
    fn open(addr: &str) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Conn {
            reader: BufReader::new(stream),
        }
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: &str,
    ) -> std::io::Result<Reply> {
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(cookie) = cookie {
            req.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.reader.get_mut().write_all(req.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let (mut len, mut cookie) = (0, None);
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                len = value.parse().unwrap_or(0);
            } else if name.eq_ignore_ascii_case("set-cookie") {
                cookie = Some(value.split(';').next().unwrap_or("").to_string());
            }
        }
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body)?;
        Ok(Reply {
            status,
            cookie,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// The demo server in its own process; killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(bin: &str, session_store: Option<&str>) -> Server {
        let mut command = Command::new(bin);
        command
            .env("ADDR", "127.0.0.1:0")
            .env("INSECURE_COOKIES", "1")
            .env("SESSION_HASH_KEY", HASH_HEX)
            .env("SESSION_BLOCK_KEY", BLOCK_HEX)
            .env_remove("SESSION_STORE")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(url) = session_store {
            command.env("SESSION_STORE", url);
        }
        let mut child = command.spawn().expect("start the demo server");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server { child, addr }
    }

    /// Resident memory in KiB (`VmRSS`).
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Default)]
struct Tally {
    latencies_us: Mutex<Vec<u64>>,
    errors: AtomicUsize,
    lost: AtomicUsize,
    done: AtomicUsize,
}

/// One user's visit: five requests. Returns early on the first error.
fn visit(
    conn: &mut Conn,
    user: &str,
    revocable: bool,
    tally: &Tally,
    lat: &mut Vec<u64>,
) -> Result<(), String> {
    let mut timed =
        |conn: &mut Conn, method: &str, path: &str, cookie: Option<&str>, body: &str| {
            let start = Instant::now();
            let reply = conn.send(method, path, cookie, body);
            lat.push(start.elapsed().as_micros() as u64);
            tally.done.fetch_add(1, Ordering::Relaxed);
            reply.map_err(|e| format!("{method} {path}: {e}"))
        };
    let login = timed(conn, "POST", "/login", None, &format!("user-id={user}"))?;
    let mut cookie = match (login.status, login.cookie) {
        (303, Some(c)) => c,
        (s, _) => return Err(format!("login: {s}")),
    };
    let greeting = format!("Welcome {user}!");
    for _ in 0..2 {
        let welcome = timed(conn, "GET", "/welcome", Some(&cookie), "")?;
        if welcome.status != 200 || !welcome.body.contains(&greeting) {
            tally.lost.fetch_add(1, Ordering::Relaxed);
            return Err(format!("welcome: {} (session lost)", welcome.status));
        }
        // Taking the flash notice re-issues the cookie.
        if let Some(c) = welcome.cookie {
            cookie = c;
        }
    }
    let logout = timed(conn, "POST", "/logout", Some(&cookie), "")?;
    if logout.status != 303 {
        return Err(format!("logout: {}", logout.status));
    }
    let replay = timed(conn, "GET", "/welcome", Some(&cookie), "")?;
    let expected = if revocable { 401 } else { 200 };
    if replay.status != expected {
        return Err(format!(
            "replay after logout: {} (want {expected})",
            replay.status
        ));
    }
    Ok(())
}

struct Row {
    store: &'static str,
    requests: usize,
    errors: usize,
    lost: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    rss_warm_kib: u64,
    rss_end_kib: u64,
}

fn run(store: &'static str, server: &Server, requests: usize, concurrency: usize) -> Row {
    let revocable = store != "cookie";
    let tally = Arc::new(Tally::default());
    let visits = requests / 5;
    let next = Arc::new(AtomicUsize::new(0));
    let warm_visits = visits / 10;
    let rss_warm = Arc::new(Mutex::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..concurrency)
        .map(|t| {
            let (tally, next, rss_warm) = (tally.clone(), next.clone(), rss_warm.clone());
            let addr = server.addr.clone();
            let pid = server.child.id();
            std::thread::spawn(move || {
                let mut conn = Conn::open(&addr);
                let mut lat = Vec::new();
                loop {
                    let v = next.fetch_add(1, Ordering::Relaxed);
                    if v >= visits {
                        break;
                    }
                    if v == warm_visits {
                        *rss_warm.lock().unwrap() = rss_of(pid);
                    }
                    if let Err(e) =
                        visit(&mut conn, &format!("u{t}-{v}"), revocable, &tally, &mut lat)
                    {
                        if tally.errors.fetch_add(1, Ordering::Relaxed) < 5 {
                            eprintln!("{store}: {e}");
                        }
                        conn = Conn::open(&addr);
                    }
                }
                tally.latencies_us.lock().unwrap().extend(lat);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut lat = tally.latencies_us.lock().unwrap().clone();
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)] as f64 / 1000.0;
    let rss_warm_kib = *rss_warm.lock().unwrap();
    Row {
        store,
        requests: tally.done.load(Ordering::Relaxed),
        errors: tally.errors.load(Ordering::Relaxed),
        lost: tally.lost.load(Ordering::Relaxed),
        rps: tally.done.load(Ordering::Relaxed) as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        rss_warm_kib,
        rss_end_kib: server.rss_kib(),
    }
}

fn rss_of(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
#[ignore = "a load test: run it with .ci/load (release build, a Redis)"]
fn load_the_demo_on_cookies_and_on_redis() {
    let url = redis_common::shared_url();
    let bin = std::env::var("LOAD_SERVER_BIN")
        .unwrap_or_else(|_| "target/release/examples/server".to_string());
    assert!(
        std::path::Path::new(&bin).exists(),
        "{bin}: build it first (.ci/load does)"
    );
    let requests = env_usize("LOAD_REQUESTS", 20_000);
    let concurrency = env_usize("LOAD_CONCURRENCY", 50);
    let mut rows = Vec::new();
    for (store, session_store) in [("cookie", None), ("redis", Some(url.as_str()))] {
        let server = Server::start(&bin, session_store);
        rows.push(run(store, &server, requests, concurrency));
    }
    println!(
        "\n| store | requests | errors | sessions lost | requests/s | p50 ms | p99 ms | server RSS after warm-up -> end |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.1} MiB -> {:.1} MiB |",
            r.store,
            r.requests,
            r.errors,
            r.lost,
            r.rps,
            r.p50_ms,
            r.p99_ms,
            r.rss_warm_kib as f64 / 1024.0,
            r.rss_end_kib as f64 / 1024.0
        );
    }
    let (cookie, redis) = (&rows[0], &rows[1]);
    println!(
        "redis/cookie: {:.2}x the requests/s, {:.2}x the p99",
        redis.rps / cookie.rps,
        redis.p99_ms / cookie.p99_ms
    );
    for r in &rows {
        assert_eq!((r.errors, r.lost), (0, 0), "{}", r.store);
        assert_eq!(r.requests, requests / 5 * 5, "{}", r.store);
        // Flat: no growth with the number of sessions served past the
        // warm-up (allocator noise aside).
        assert!(
            r.rss_end_kib <= r.rss_warm_kib + 16 * 1024,
            "{}: {} KiB -> {} KiB",
            r.store,
            r.rss_warm_kib,
            r.rss_end_kib
        );
    }
}
