//! End to end through a real socket: each contestant of `web.rs` (the
//! same routes, cookie and attributes) served by hyper through
//! `axum::serve` on 127.0.0.1, one tokio worker thread, under `wrk` (one
//! thread, 16 connections, keep-alive) for the read route (with the
//! contestant's cookie) and the write route (a login: no cookie in, a new
//! cookie out). Each pair runs `E2E_RUNS` times (default 3) for
//! `E2E_SECONDS` (default 5); the medians of requests per second and of
//! wrk's 99th-percentile latency are printed. Loopback only; needs `wrk`
//! (Debian's package).
//!
//! ```text
//! cargo bench --manifest-path benches/Cargo.toml --bench e2e
//! ```

#[allow(dead_code)]
#[path = "web.rs"]
mod web;

use std::process::Command;

const CONTESTANTS: [&str; 5] = [
    "securecookie",
    "securecookie_memory",
    "private_cookie_jar_same_attributes",
    "tower_sessions_cookie",
    "tower_sessions_memory",
];

fn env_or(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Requests per second and the 99th percentile in microseconds, from
/// `wrk --latency`'s report.
fn parse(report: &str) -> Option<(f64, f64)> {
    let rps = report
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))?
        .trim()
        .parse()
        .ok()?;
    let p99 = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))?
        .trim();
    let (number, unit) = p99.split_at(p99.find(|c: char| c.is_ascii_alphabetic())?);
    let number: f64 = number.parse().ok()?;
    let micros = match unit {
        "us" => number,
        "ms" => number * 1e3,
        "s" => number * 1e6,
        _ => return None,
    };
    Some((rps, micros))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let seconds = env_or("E2E_SECONDS", 5);
    let runs = env_or("E2E_RUNS", 3);
    assert!(
        Command::new("wrk").arg("--version").output().is_ok(),
        "e2e needs wrk (apt-get install wrk)"
    );
    println!(
        "{:<44} {:>12} {:>12}   (median of {runs} runs of {seconds} s)",
        "route/contestant", "requests/s", "p99 µs"
    );
    for name in CONTESTANTS {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let (router, cookie) = runtime.block_on(web::contestant(name));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let address = listener.local_addr().unwrap();
        runtime.spawn(async move { axum::serve(listener, router).await });
        for route in ["read", "write"] {
            let mut rps = Vec::new();
            let mut p99 = Vec::new();
            for _ in 0..runs {
                let mut wrk = Command::new("wrk");
                wrk.args(["-t1", "-c16", "--latency", "-d"])
                    .arg(format!("{seconds}s"));
                if route == "read" {
                    wrk.arg("-H").arg(format!("Cookie: {cookie}"));
                }
                let out = wrk
                    .arg(format!("http://{address}/{route}"))
                    .output()
                    .expect("wrk runs");
                let report = String::from_utf8_lossy(&out.stdout);
                assert!(
                    !report.contains("Non-2xx"),
                    "{name}/{route}: errors\n{report}"
                );
                let (r, p) = parse(&report).unwrap_or_else(|| panic!("wrk said\n{report}"));
                rps.push(r);
                p99.push(p);
            }
            println!(
                "{:<44} {:>12.0} {:>12.0}",
                format!("{route}/{name}"),
                median(rps),
                median(p99)
            );
        }
        runtime.shutdown_background();
    }
}
