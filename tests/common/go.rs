//! The Go side of the interop tests: builds tests/interop/go (GOPATH mode
//! against Debian's golang-github-gorilla-securecookie-dev) once per test
//! binary, and talks to it in JSON.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub const GOPATH: &str = "/usr/share/gocode";
pub const GORILLA: &str = "/usr/share/gocode/src/github.com/gorilla/securecookie";

/// Skips (or, with SECURECOOKIE_REQUIRE_GO=1, fails) when Go or the gorilla
/// package is missing; otherwise builds the Go program (once for all the
/// tests, which run in parallel) and returns its path.
pub fn go_program() -> Option<PathBuf> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT.get_or_init(build_go_program).clone()
}

fn build_go_program() -> Option<PathBuf> {
    let required = std::env::var_os("SECURECOOKIE_REQUIRE_GO").is_some_and(|v| v == "1");
    let skip = |why: &str| {
        assert!(!required, "SECURECOOKIE_REQUIRE_GO=1 but {why}");
        println!("skipped: {why}");
        eprintln!("skipped: {why}");
        None
    };
    let version = match Command::new("go").arg("version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => return skip("go not installed"),
    };
    if !Path::new(GORILLA).is_dir() {
        return skip("golang-github-gorilla-securecookie-dev not installed");
    }
    println!("{}", version.trim());
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    // One binary per test crate: cargo may run them side by side.
    let bin = tmp.join(format!(
        "securecookie-go-interop-{}",
        env!("CARGO_CRATE_NAME")
    ));
    let out = Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/go"))
        .env("GOPATH", GOPATH)
        .env("GO111MODULE", "off")
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .env("GOCACHE", tmp.join("go-cache"))
        .output()
        .expect("run go build");
    assert!(
        out.status.success(),
        "go build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(bin)
}

/// Sends one request to the Go program, returns its reply.
pub fn run_go(bin: &Path, request: &Value) -> Value {
    let mut child = Command::new(bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the Go program");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "Go program failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("Go reply is JSON")
}
