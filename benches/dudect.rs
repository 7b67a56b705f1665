//! dudect: is decoding's time independent of *where* a forged MAC differs?
//!
//! Each benchmark times `Codec::decode` on two classes of forged cookies
//! made from one valid cookie: Left, the MAC's first byte changed; Right,
//! its last byte changed. A MAC compare that stops at the first difference
//! makes Left faster; `hmac`'s `verify_slice` (constant time, via `subtle`)
//! must not. |t| below 5 means no leak was found (dudect's threshold).
//!
//! Two positive controls show that the setup sees a leak when there is
//! one: `early_exit_control`, a bare compare that stops at the first
//! difference, and `decode_early_exit_control`, the very same decodes as
//! the real test followed by such a compare of the forged tag, so that the
//! leak has to show through the noise of `decode` itself.
//!
//! `.ci/dudect` runs it with a pass/fail threshold (the real tests and the
//! null control under 5, the controls over 10). By hand, build it with
//! `cargo bench --manifest-path benches/Cargo.toml --bench dudect --no-run`
//! and run the binary it names (`cargo bench` itself passes `--bench`,
//! which dudect-bencher's command line refuses); `--continuous compact_mac`
//! runs one test until interrupted.
//! `DUDECT_SAMPLES` sets the samples per test (default 200,000). Not part of
//! `cargo test`: it is statistics, and it takes a while.

use dudect_bencher::rand::RngExt;
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};
use securecookie::{Codec, Format, Iv, Keys};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const NOW: u64 = 1_800_000_000;
/// Samples per test: `DUDECT_SAMPLES`, else 200,000.
fn samples() -> usize {
    std::env::var("DUDECT_SAMPLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200_000)
}

/// Minimal URL-safe base64, only to forge cookies here.
fn b64_encode(raw: &[u8], padded: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in raw.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]);
        }
        if padded {
            out.extend(std::iter::repeat_n(b'=', 3 - chunk.len()));
        }
    }
    out
}

fn b64_decode(text: &[u8]) -> Vec<u8> {
    let sextets: Vec<u32> = text
        .iter()
        .filter(|&&c| c != b'=')
        .map(|c| ALPHABET.iter().position(|a| a == c).unwrap() as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &s)| n | s << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

/// A valid cookie's codec and raw bytes (base64 undone).
fn sample(format: Format) -> (Codec, Vec<u8>) {
    let codec = Codec::with_format(Keys::new(&[7; 32], Some(&[9; 32])).unwrap(), format);
    let mut out = [0u8; 256];
    let payload = [1, b'u', 6, b'a', b'1', b'b', b'2', b'c', b'3'];
    let iv = Iv::from_random_bytes([5; 16]);
    let cookie = codec
        .encode("session", &payload, NOW, iv, &mut out)
        .unwrap();
    let raw = b64_decode(cookie.as_bytes());
    assert_eq!(
        b64_encode(&raw, format == Format::Gorilla),
        cookie.as_bytes()
    );
    (codec, raw)
}

/// Times decoding of forgeries: for each sample a fresh random class and a
/// fresh random change (1..=255 XORed in) of one MAC byte, at `left_at`
/// for Left and `right_at` for Right (offsets from the tag's start).
/// Inputs are all made before timing starts, as dudect prescribes.
fn run(format: Format, left_at: usize, right_at: usize, runner: &mut CtRunner, rng: &mut BenchRng) {
    run_with(format, left_at, right_at, false, runner, rng);
}

/// [`run`], and with `leak` each decode is followed by a compare of the
/// forged tag with the valid one that stops at the first difference.
fn run_with(
    format: Format,
    left_at: usize,
    right_at: usize,
    leak: bool,
    runner: &mut CtRunner,
    rng: &mut BenchRng,
) {
    let (codec, raw) = sample(format);
    let tag_at = raw.len() - 32;
    let valid: [u8; 32] = raw[tag_at..].try_into().unwrap();
    let inputs: Vec<(Class, Vec<u8>, [u8; 32])> = (0..samples())
        .map(|_| {
            let (class, at) = if rng.random::<bool>() {
                (Class::Left, left_at)
            } else {
                (Class::Right, right_at)
            };
            let mut r = raw.clone();
            r[tag_at + at] ^= rng.random_range(1..=255u8);
            let tag = r[tag_at..].try_into().unwrap();
            (class, b64_encode(&r, format == Format::Gorilla), tag)
        })
        .collect();
    for (class, cookie, tag) in inputs {
        runner.run_one(class, || {
            // `run_one` takes `Fn`: the working buffer lives in the call.
            let mut buf = [0u8; 256];
            let r = codec.decode("session", &cookie, NOW, &mut buf);
            assert_eq!(r.unwrap_err(), securecookie::Error::MacMismatch);
            if leak {
                std::hint::black_box(early_exit_eq(&tag, &valid));
            }
        });
    }
}

/// A compare that stops at the first difference: what a leaky MAC check
/// would do.
fn early_exit_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    for i in 0..32 {
        if std::hint::black_box(a[i]) != b[i] {
            return false;
        }
    }
    true
}

/// The question: MAC differs in its first byte (Left) or its last (Right).
fn compact_mac_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(Format::Compact, 0, 31, runner, rng);
}

/// The same for the gorilla envelope.
fn gorilla_mac_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(Format::Gorilla, 0, 31, runner, rng);
}

/// The null control: both classes change the *last* byte, so any |t| here
/// is the noise floor of the setup (machine, base64 table lookups).
fn compact_null_last_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    run(Format::Compact, 31, 31, runner, rng);
}

/// The positive control: a byte-by-byte compare that stops at the first
/// difference, on the same 32-byte tags.
fn early_exit_control(runner: &mut CtRunner, rng: &mut BenchRng) {
    let tag: [u8; 32] = rng.random();
    for _ in 0..samples() {
        let mut other = tag;
        let class = if rng.random::<bool>() {
            other[0] ^= 1;
            Class::Left
        } else {
            other[31] ^= 1;
            Class::Right
        };
        runner.run_one(class, || early_exit_eq(&tag, &other));
    }
}

/// The positive control through `decode`: the compact test's forgeries and
/// decodes, each followed by an early-exit compare of the forged tag. If
/// this leak does not show, the real test could not have seen one either.
fn decode_early_exit_control(runner: &mut CtRunner, rng: &mut BenchRng) {
    run_with(Format::Compact, 0, 31, true, runner, rng);
}

ctbench_main!(
    compact_mac_first_vs_last,
    gorilla_mac_first_vs_last,
    compact_null_last_vs_last,
    early_exit_control,
    decode_early_exit_control
);
