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

/// The message of every test that needs Go: such tests are `#[ignore]`d
/// with it, so that `cargo test` reports them as not run (never as passed);
/// `.ci/run` installs Go (`.ci/go`) and runs them with `--ignored`.
const NEEDS_GO: &str = "needs Go and golang-github-gorilla-securecookie-dev (.ci/go installs them); run with --include-ignored";

/// Builds the Go program (once for all the tests, which run in parallel)
/// and returns its path. Fails when Go or the gorilla package is missing:
/// a test that calls this was asked to run, so it must not pass silently.
pub fn go_program() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build_go_program).clone()
}

fn build_go_program() -> PathBuf {
    let version = match Command::new("go").arg("version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        _ => panic!("go is not installed: {NEEDS_GO}"),
    };
    assert!(
        Path::new(GORILLA).is_dir(),
        "{GORILLA} is missing: {NEEDS_GO}"
    );
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
    bin
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
