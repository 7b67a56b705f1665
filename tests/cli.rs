//! The `securecookie` tool end to end: real processes, real exit codes.

mod common;

use std::process::{Command, Output};

use common::{go_vectors, hex};

const HASH: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const BLOCK: &str = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_securecookie"))
        .args(args)
        .env_remove("SECURECOOKIE_HASH_KEY")
        .env_remove("SECURECOOKIE_BLOCK_KEY")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn encode_then_decode_kv_both_formats() {
    for format in ["compact", "gorilla"] {
        let enc = run(&[
            "encode",
            "--format",
            format,
            "--hash-key",
            HASH,
            "--block-key",
            BLOCK,
            "--name",
            "my-app",
            "--now",
            "1800000000",
            "user-id=a1b2c3",
            "lang=en",
            "bin=\u{1}x",
        ]);
        assert!(enc.status.success(), "{format}: {enc:?}");
        let cookie = stdout(&enc);
        let dec = run(&[
            "decode",
            "--format",
            format,
            "--hash-key",
            HASH,
            "--block-key",
            BLOCK,
            "--name",
            "my-app",
            "--now",
            "1800000005",
            cookie.trim(),
        ]);
        assert_eq!(dec.status.code(), Some(0), "{format}: {dec:?}");
        // Sorted by key; the value with a control character comes out as hex.
        assert_eq!(stdout(&dec), "bin=0x0178\nlang=en\nuser-id=a1b2c3\n");
    }
}

#[test]
fn fixed_iv_reproduces_the_go_golden_cookie() {
    let golden = go_vectors()
        .into_iter()
        .find(|v| v["id"] == "forged-golden-h32-b16-nop")
        .unwrap();
    let out = run(&[
        "encode",
        "--format",
        "gorilla",
        "--hash-key",
        golden["hash_key_hex"].as_str().unwrap(),
        "--block-key",
        golden["block_key_hex"].as_str().unwrap(),
        "--name",
        golden["name"].as_str().unwrap(),
        "--now",
        "1700000000",
        "--iv",
        "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
        "--raw",
        golden["payload"].as_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(stdout(&out).trim(), golden["cookie"].as_str().unwrap());
}

#[test]
fn decodes_every_positive_go_nop_vector_as_raw_hex() {
    let mut n = 0;
    for v in go_vectors()
        .iter()
        .filter(|v| v["kind"] == "positive" && v["serializer"] == "nop")
    {
        let max_length = v["max_length"].to_string();
        let mut args = vec![
            "decode",
            "--format",
            "gorilla",
            "--hash-key",
            v["hash_key_hex"].as_str().unwrap(),
            "--name",
            v["name"].as_str().unwrap(),
            "--max-age",
            "0",
            "--now",
            "1795630449",
            "--payload",
            "raw",
            "--max-length",
            &max_length,
        ];
        if let Some(b) = v["block_key_hex"].as_str() {
            args.extend(["--block-key", b]);
        }
        args.push(v["cookie"].as_str().unwrap());
        let out = run(&args);
        assert!(out.status.success(), "{}: {out:?}", v["id"]);
        let want = hex(v["payload"].as_str().unwrap());
        assert_eq!(hex(stdout(&out).trim()), want, "{}", v["id"]);
        n += 1;
    }
    assert!(n >= 28);
}

#[test]
fn refused_cookie_exits_1_with_the_reason() {
    let enc = run(&[
        "encode",
        "--hash-key",
        HASH,
        "--name",
        "s",
        "--now",
        "1800000000",
        "a=b",
    ]);
    let cookie = stdout(&enc);
    let out = run(&[
        "decode",
        "--hash-key",
        HASH,
        "--name",
        "other",
        "--now",
        "1800000000",
        cookie.trim(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cookie MAC does not match\n"
    );
    let expired = run(&[
        "decode",
        "--hash-key",
        HASH,
        "--name",
        "s",
        "--max-age",
        "10",
        "--now",
        "1800000011",
        cookie.trim(),
    ]);
    assert_eq!(expired.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&expired.stderr),
        "error: cookie has expired\n"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let cases: [&[&str]; 7] = [
        &[],
        &["frobnicate"],
        &["decode", "--hash-key", "zz", "--name", "s", "x"],
        &["decode", "--hash-key", &HASH[..40], "--name", "s", "x"],
        &["decode", "--hash-key", HASH, "x"],
        &[
            "encode",
            "--hash-key",
            HASH,
            "--name",
            "s",
            "--iv",
            "00",
            "a=b",
        ],
        &["encode", "--hash-key", HASH, "--name", "s", "novalue"],
    ];
    for args in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"));
    }
}

#[test]
fn keys_can_come_from_the_environment() {
    let enc = Command::new(env!("CARGO_BIN_EXE_securecookie"))
        .args(["encode", "--name", "s", "--now", "1800000000", "k=v"])
        .env("SECURECOOKIE_HASH_KEY", HASH)
        .env("SECURECOOKIE_BLOCK_KEY", BLOCK)
        .output()
        .unwrap();
    assert!(enc.status.success(), "{enc:?}");
    let dec = run(&[
        "decode",
        "--hash-key",
        HASH,
        "--block-key",
        BLOCK,
        "--name",
        "s",
        "--now",
        "1800000000",
        stdout(&enc).trim(),
    ]);
    assert_eq!(stdout(&dec), "k=v\n");
    // Without the block key, the encrypted cookie is not ours.
    let signed_only = run(&[
        "decode",
        "--hash-key",
        HASH,
        "--name",
        "s",
        "--now",
        "1800000000",
        stdout(&enc).trim(),
    ]);
    assert_eq!(signed_only.status.code(), Some(1));
}
