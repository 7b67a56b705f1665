//! The core as WebAssembly (tests/wasm/, `wasm32-unknown-unknown`, no
//! `std`, no allocator, no wasm-bindgen), run under Node: cookies made by
//! this native build decode in wasm, and cookies made in wasm decode here,
//! in both formats.
//!
//! Builds the module with tests/wasm/build.sh first (cargo, then binaryen's
//! `wasm-opt -Oz`) and runs the check on the optimized module. Needs `node`,
//! `wasm-opt` and the wasm32 target, so it is `#[ignore]`d (a plain `cargo
//! test` reports it as not run, never as passed) and fails when asked to
//! run without them; `.ci/harden` runs it with `--ignored` (`.ci/embedded`
//! and `.ci/harden` install what it needs).

use std::path::Path;
use std::process::Command;

use securecookie::{Codec, Format, Iv, Keys, decode_buf_len, kv};

// The keys compiled into tests/wasm/lib.rs.
const HASH_KEY: [u8; 32] = [0x11; 32];
const BLOCK_KEY: [u8; 32] = [0x22; 32];
const NOW: u64 = 1_800_000_000;

fn codec(format: Format) -> Codec {
    Codec::with_format(Keys::new(&HASH_KEY, Some(&BLOCK_KEY)).unwrap(), format)
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn wasm_target_installed() -> bool {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        // No rustup: let cargo try.
        .unwrap_or(true)
}

#[test]
#[ignore = "needs node, wasm-opt and the wasm32-unknown-unknown target (.ci/embedded, .ci/harden); run with --include-ignored"]
fn native_and_wasm_read_each_others_cookies() {
    assert!(have("node", "--version"), "node is not installed");
    assert!(
        wasm_target_installed(),
        "rustup target wasm32-unknown-unknown is not installed"
    );
    assert!(
        have("wasm-opt", "--version"),
        "wasm-opt (Debian's binaryen) is not installed"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasm");
    // Builds the module and runs `wasm-opt -Oz` on it: the check runs on
    // the module as it would ship.
    let out = Command::new("bash")
        .arg(dir.join("build.sh"))
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "building the wasm module failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8(out.stdout).unwrap();
    let fields: Vec<&str> = line.trim_end().split('\t').collect();
    let [module, opt_len, raw_len] = fields[..] else {
        panic!("tests/wasm/build.sh printed {line:?}");
    };
    eprintln!("wasm module: {opt_len} bytes after wasm-opt -Oz ({raw_len} bytes raw)");
    let module = Path::new(module);

    let session: heapless::Vec<u8, 64> =
        kv::to_vec([("lang", &b"en"[..]), ("user-id", &b"a1b2c3"[..])]).unwrap();
    let mut cases = Vec::new();
    for (format, label) in [(Format::Compact, "compact"), (Format::Gorilla, "gorilla")] {
        for (name, payload) in [("session", &session[..]), ("my_app.sid-2", &b""[..])] {
            let mut out = [0u8; 256];
            let iv = Iv::from_random_bytes([0x5a; 16]);
            let cookie = codec(format)
                .encode(name, payload, NOW, iv, &mut out)
                .unwrap();
            cases.push(format!(
                r#"{{"format":"{label}","name":"{name}","cookie":"{cookie}","payload_hex":"{}"}}"#,
                to_hex(payload)
            ));
        }
    }
    let cases = format!("[{}]", cases.join(","));

    let out = Command::new("node")
        .arg(dir.join("check.mjs"))
        .arg(module)
        .arg((NOW + 1).to_string())
        .arg(&cases)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "node: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made.len(), 4);
    for m in made {
        let format = match m["format"].as_str().unwrap() {
            "compact" => Format::Compact,
            _ => Format::Gorilla,
        };
        let cookie = m["cookie"].as_str().unwrap();
        // A fresh IV: not the native cookie again.
        assert!(!cases.contains(cookie), "wasm reused the native cookie");
        let mut buf = vec![0u8; decode_buf_len(cookie.len())];
        let d = codec(format)
            .decode(m["name"].as_str().unwrap(), cookie, NOW + 2, &mut buf)
            .expect("native decodes the wasm cookie");
        assert_eq!(to_hex(d.payload), m["payload_hex"].as_str().unwrap());
        assert_eq!(d.timestamp, NOW + 1);
    }
}
