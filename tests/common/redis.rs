//! A real Redis for the tests: the shared one `.ci/redis` started
//! (`SECURECOOKIE_REDIS_URL`), or servers of a test's own, started from
//! `SECURECOOKIE_REDIS_SERVER` on free loopback ports, for the tests that
//! count commands, stop or restart the server.
//!
//! The tests that need them are `#[ignore = "needs Redis ..."]`; run with
//! `--ignored` and without the variables, they fail.
#![allow(dead_code)] // each test binary uses its part

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The value of `var`; panics, naming the script that sets it, when unset.
/// The tests that call this are `#[ignore = "needs Redis ..."]`: a plain
/// `cargo test` lists them as not run, and asked to run they must.
fn required(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{var} is not set: run the Redis tests through .ci/redis (it starts a real Redis)"
        ),
    }
}

/// The shared server's URL.
pub fn shared_url() -> String {
    required("SECURECOOKIE_REDIS_URL")
}

/// A unique key prefix, so that tests sharing a server never collide.
pub fn prefix(test: &str) -> String {
    let mut r = [0u8; 6];
    getrandom_bytes(&mut r);
    let tag: String = r.iter().map(|b| format!("{b:02x}")).collect();
    format!("test:{test}:{tag}:")
}

fn getrandom_bytes(out: &mut [u8]) {
    // The crate's own random key helper: OS randomness.
    let key = securecookie::random_key::<32>().unwrap();
    out.copy_from_slice(&key[..out.len()]);
}

/// A redis-server of the test's own; killed on drop.
pub struct OwnRedis {
    server: PathBuf,
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl OwnRedis {
    /// Starts one on a free port, or skips.
    pub fn start() -> OwnRedis {
        let server = PathBuf::from(required("SECURECOOKIE_REDIS_SERVER"));
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("redis-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = OwnRedis {
            server,
            port,
            dir,
            child: None,
        };
        redis.restart();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// (Re)starts the server on the same port and waits until it answers.
    pub fn restart(&mut self) {
        self.stop();
        let child = Command::new(&self.server)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    /// Stops the server (the port is then closed).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A plain connection for looking at what the store did.
pub async fn inspector(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Commands the server ran since the last call, by name (from `INFO
/// commandstats`, reset by `CONFIG RESETSTAT`), without the inspector's own.
pub async fn commands_since_reset(
    conn: &mut redis::aio::MultiplexedConnection,
) -> Vec<(String, u64)> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(conn)
        .await
        .unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async(conn)
        .await
        .unwrap();
    let mut out = Vec::new();
    for line in info.lines() {
        let Some(rest) = line.strip_prefix("cmdstat_") else {
            continue;
        };
        let (name, stats) = rest.split_once(':').unwrap();
        if name == "info" || name.starts_with("config") {
            continue;
        }
        let calls = stats
            .split(',')
            .find_map(|kv| kv.strip_prefix("calls="))
            .unwrap()
            .parse()
            .unwrap();
        out.push((name.to_string(), calls));
    }
    out.sort();
    out
}
