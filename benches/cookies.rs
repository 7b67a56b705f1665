//! Side by side, in one run: our envelopes, the primitives' floor and the
//! crates users pick instead (issue 5). Ids are `<op>/<impl>/<case>`:
//!
//! - op: `encode`, `decode`, `roundtrip` (encode then decode);
//! - impl: `compact`, `gorilla` (AES-256), `-aes128` and `-signed` variants,
//!   `floor-compact`, `floor-gorilla` (the bare primitives on the same bytes),
//!   `cookie-private`, `cookie-signed` (the `cookie` crate's jars), `store`
//!   (`CookieStore` save, get), `compact-osiv` (roundtrip with `Iv::random`),
//!   `compact-osrng` (`encode_now` then `decode_now`: `Iv::random` and the
//!   clock on both sides, what the store pays besides its own work);
//! - case: `typical` (`user-id=a1b2c3` as a kv payload), `1k` (1 KiB
//!   payload), `max` (the largest payload that fits 4096 characters).
//!
//! Plus the parts: `iv/*` (where IVs come from), `clock/*`, `encode_now/*`,
//! and `b64-*/{own,base64ct}/*` (our base64 against `base64ct`).
//!
//! `cargo bench --manifest-path benches/Cargo.toml --bench cookies`, then
//! `python3 benches/report.py` turns `benches/target/criterion` into the
//! README's table.

use std::hint::black_box;

use criterion::{Criterion, criterion_group};
use securecookie::{Codec, Iv, Keys, decode_buf_len, kv};

/// The crate's own base64, compiled in here so the floor uses the same codec
/// (it is private to the crate). Its `cfg(feature = ...)` items name the
/// crate's features, which this crate does not have: they compile out.
#[allow(dead_code, unexpected_cfgs)]
#[path = "../src/codec/b64.rs"]
mod b64;
mod floor;

use floor::tuned::TunedCompact;
use floor::{Floor, FloorCompact, FloorGorilla};

const NAME: &str = "session";
const NOW: u64 = 1_795_630_448;
const LATER: u64 = NOW + 5;
const HASH_KEY: [u8; 32] = [0x11; 32];
const AES256_KEY: [u8; 32] = [0x22; 32];
const AES128_KEY: [u8; 16] = [0x33; 16];
const IV: [u8; 16] = [0x5a; 16];
const MAX_CHARS: usize = 4096;
const CASES: [&str; 3] = ["typical", "1k", "max"];

/// A kv payload of exactly `len` bytes: `user-id=a1b2c3` for 15, otherwise
/// one `data` entry padded to size.
fn kv_payload(len: usize) -> Vec<u8> {
    let mut buf = vec![0u8; len];
    let mut w = kv::KvWriter::new(&mut buf);
    if len == kv::entry_len(7, 6) {
        w.push("user-id", b"a1b2c3").unwrap();
    } else {
        let value_len = (0..len)
            .rev()
            .find(|&v| kv::entry_len(4, v) == len)
            .expect("a kv entry of this size exists");
        let value: Vec<u8> = (0..value_len).map(|i| (i * 7 + 1) as u8).collect();
        w.push("data", &value).unwrap();
    }
    assert_eq!(w.len(), len);
    buf
}

fn typical() -> Vec<u8> {
    kv_payload(kv::entry_len(7, 6))
}

/// The payload of `case` for an impl whose largest payload is `max`.
fn payload(case: &str, max: usize) -> Vec<u8> {
    match case {
        "typical" => typical(),
        "1k" => kv_payload(1024),
        _ => kv_payload(max),
    }
}

fn codecs() -> Vec<(&'static str, Codec)> {
    let k256 = || Keys::new(&HASH_KEY, Some(&AES256_KEY)).unwrap();
    let k128 = || Keys::new(&HASH_KEY, Some(&AES128_KEY)).unwrap();
    let signed = || Keys::new(&HASH_KEY, None).unwrap();
    vec![
        ("compact", Codec::new(k256())),
        ("compact-aes128", Codec::new(k128())),
        ("compact-signed", Codec::new(signed())),
        ("gorilla", Codec::gorilla(k256())),
        ("gorilla-aes128", Codec::gorilla(k128())),
        ("gorilla-signed", Codec::gorilla(signed())),
    ]
}

fn encode_once(codec: &Codec, payload: &[u8]) -> String {
    let mut out = vec![0u8; codec.encoded_len(payload.len(), NOW)];
    codec
        .encode(NAME, payload, NOW, Iv::from_random_bytes(IV), &mut out)
        .unwrap()
        .to_owned()
}

/// One benchmark of ours: `op` on the codec `name` for `case`.
fn ours(c: &mut Criterion, name: &str, case: &str, op: &str) {
    let codec = codecs().into_iter().find(|(n, _)| *n == name).unwrap().1;
    let payload = payload(case, codec.max_payload_len(NOW));
    let cookie = encode_once(&codec, &payload);
    assert!(cookie.len() <= MAX_CHARS);
    let mut out = vec![0u8; cookie.len()];
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    let id = format!("{op}/{name}/{case}");
    match op {
        "encode" => c.bench_function(&id, |b| {
            b.iter(|| {
                let iv = Iv::from_random_bytes(black_box(IV));
                let cookie = codec.encode(NAME, black_box(&payload), NOW, iv, &mut out);
                black_box(cookie.unwrap().len())
            })
        }),
        "decode" => c.bench_function(&id, |b| {
            b.iter(|| {
                let d = codec.decode(NAME, black_box(&cookie), LATER, &mut buf);
                black_box(d.unwrap().payload.len())
            })
        }),
        // The core path: the caller brings the IV (and the time).
        _ => c.bench_function(&id, |b| {
            b.iter(|| {
                let iv = Iv::from_random_bytes(black_box(IV));
                roundtrip_core(&codec, &payload, iv, &mut out, &mut buf)
            })
        }),
    };
}

/// Encode then decode with the core API, the IV from the caller.
fn roundtrip_core(codec: &Codec, payload: &[u8], iv: Iv, out: &mut [u8], buf: &mut [u8]) -> usize {
    let len = codec
        .encode(NAME, black_box(payload), NOW, iv, out)
        .unwrap()
        .len();
    let d = codec.decode(NAME, &out[..len], LATER, buf);
    black_box(d.unwrap().payload.len())
}

/// The std path: a fresh IV from the pool in `src/sessions/os.rs`, as the
/// `cookie` crate draws a fresh nonce from its thread RNG on every add.
fn roundtrip_osiv(c: &mut Criterion, case: &str) {
    let codec = Codec::new(Keys::new(&HASH_KEY, Some(&AES256_KEY)).unwrap());
    let payload = payload(case, codec.max_payload_len(NOW));
    let mut out = vec![0u8; codec.encoded_len(payload.len(), NOW)];
    let mut buf = vec![0u8; decode_buf_len(out.len())];
    c.bench_function(&format!("roundtrip/compact-osiv/{case}"), |b| {
        b.iter(|| roundtrip_core(&codec, &payload, Iv::random().unwrap(), &mut out, &mut buf))
    });
}

/// The std core path the store builds on: `encode_now` (IV from the pool,
/// system clock) then `decode_now` (system clock). The store's fair
/// baseline: it pays for the same randomness and clock reads.
fn roundtrip_osrng(c: &mut Criterion, case: &str) {
    let codec = Codec::new(Keys::new(&HASH_KEY, Some(&AES256_KEY)).unwrap());
    let payload = payload(case, codec.max_payload_len(NOW));
    let mut out = vec![0u8; codec.encoded_len(payload.len(), NOW)];
    let mut buf = vec![0u8; decode_buf_len(out.len())];
    c.bench_function(&format!("roundtrip/compact-osrng/{case}"), |b| {
        b.iter(|| {
            let len = codec
                .encode_now(NAME, black_box(&payload), &mut out)
                .unwrap()
                .len();
            let d = codec.decode_now(NAME, &out[..len], &mut buf);
            black_box(d.unwrap().payload.len())
        })
    });
}

/// One floor benchmark (gorilla or compact) on the same payload as
/// `<op>/<compact|gorilla>/<case>`, checked byte for byte first.
fn floor(c: &mut Criterion, gorilla: bool, case: &str, op: &str) {
    let floor = Floor::new(&HASH_KEY, &AES256_KEY, NAME, NOW, IV);
    let all = codecs();
    let codec = &all[if gorilla { 3 } else { 0 }].1;
    let payload = payload(case, codec.max_payload_len(NOW));
    let cookie = encode_once(codec, &payload);
    let mut out = vec![0u8; cookie.len()];
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    let fc = FloorCompact::new(&floor, codec.keys().key_id(), payload.len());
    let fg = FloorGorilla::new(&floor, payload.len());
    let encode = |payload: &[u8], out: &mut [u8]| -> usize {
        if gorilla {
            fg.encode(payload, out).len()
        } else {
            fc.encode(payload, out).len()
        }
    };
    let decode = |cookie: &[u8], buf: &mut [u8]| -> usize {
        if gorilla {
            fg.decode(cookie, buf).len()
        } else {
            fc.decode(cookie, buf).len()
        }
    };
    let n = encode(&payload, &mut out);
    assert_eq!(&out[..n], cookie.as_bytes());
    assert_eq!(decode(cookie.as_bytes(), &mut buf), payload.len());
    let which = if gorilla { "gorilla" } else { "compact" };
    let id = format!("{op}/floor-{which}/{case}");
    if op == "encode" {
        c.bench_function(&id, |b| {
            b.iter(|| black_box(encode(black_box(&payload), &mut out)))
        });
    } else {
        c.bench_function(&id, |b| {
            b.iter(|| black_box(decode(black_box(cookie.as_bytes()), &mut buf)))
        });
    }
}

/// The tuned floor (floor/tuned.rs: the `base64` crate, HMAC on raw
/// `compress256` with prepared states, `aes` + `ctr`, no code of ours) on
/// the same payload as `<op>/compact/<case>`, checked byte for byte first.
fn floor_tuned(c: &mut Criterion, case: &str, op: &str) {
    let (id, mut run) = tuned_op(case, op);
    c.bench_function(&id, |b| b.iter(|| black_box(run())));
}

/// `<op>/floor-tuned/<case>` and one run of it, checked against our bytes.
fn tuned_op(case: &str, op: &str) -> (String, Box<dyn FnMut() -> usize>) {
    let codec = Codec::new(Keys::new(&HASH_KEY, Some(&AES256_KEY)).unwrap());
    let payload = payload(case, codec.max_payload_len(NOW));
    let cookie = encode_once(&codec, &payload);
    let tuned = TunedCompact::new(&HASH_KEY, &AES256_KEY, NAME, NOW, IV);
    let mut scratch = vec![0u8; cookie.len()];
    let mut out = vec![0u8; cookie.len()];
    let mut buf = vec![0u8; decode_buf_len(cookie.len()) + 3];
    let n = tuned.encode(&payload, &mut scratch, &mut out);
    assert_eq!(&out[..n], cookie.as_bytes());
    assert_eq!(tuned.decode(cookie.as_bytes(), &mut buf), payload.len());
    let id = format!("{op}/floor-tuned/{case}");
    let run: Box<dyn FnMut() -> usize> = if op == "encode" {
        Box::new(move || tuned.encode(black_box(&payload), &mut scratch, &mut out))
    } else {
        Box::new(move || tuned.decode(black_box(cookie.as_bytes()), &mut buf))
    };
    (id, run)
}

/// The `cookie` crate's jars: `add` encrypts (or signs) into the jar, `get`
/// decrypts (or verifies) out of it. Its value must be text, so the payload
/// is ASCII of the same byte count as ours (`typical` is our kv bytes, which
/// are ASCII). Its largest value: base64(nonce 12 || ciphertext || tag 16)
/// for the private jar, base64(mac 32) || value for the signed one.
fn cookie_jar(c: &mut Criterion, private: bool, case: &str, op: &str) {
    let (id, mut run) = jar_op(private, case, op);
    c.bench_function(&id, |b| b.iter(|| black_box(run())));
}

/// One run of `<op>/cookie-private|cookie-signed/<case>` as a closure (and
/// its id), for criterion and for the instruction counts. Encode is `add`,
/// decode is `get`, roundtrip is both; the op is matched inside, a branch
/// that always goes the same way.
fn jar_op(private: bool, case: &str, op: &str) -> (String, impl FnMut() -> usize + 'static) {
    use cookie::{Cookie, CookieJar, Key};
    let key: &'static Key = Box::leak(Box::new(Key::from(&[0x44; 64])));
    let name = if private {
        "cookie-private"
    } else {
        "cookie-signed"
    };
    let max = if private {
        MAX_CHARS / 4 * 3 - 12 - 16
    } else {
        MAX_CHARS - 44
    };
    let len = match case {
        "typical" => typical().len(),
        "1k" => 1024,
        _ => max,
    };
    let value: String = match case {
        "typical" => String::from_utf8(typical()).unwrap(),
        _ => (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect(),
    };
    let value: &'static str = Box::leak(value.into_boxed_str());
    let add = move |jar: &mut CookieJar| {
        let cookie = Cookie::new(NAME, black_box(value));
        if private {
            jar.private_mut(key).add(cookie);
        } else {
            jar.signed_mut(key).add(cookie);
        }
    };
    let get = move |jar: &CookieJar| {
        let got = if private {
            jar.private(key).get(NAME)
        } else {
            jar.signed(key).get(NAME)
        };
        got.unwrap().value().len()
    };
    // The largest value fits, one more byte would not.
    let mut jar = CookieJar::new();
    add(&mut jar);
    assert_eq!(get(&jar), len);
    if case == "max" {
        assert_eq!(jar.get(NAME).unwrap().value().len(), MAX_CHARS);
    }
    let id = format!("{op}/{name}/{case}");
    let (encode, decode) = (op != "decode", op != "encode");
    let run = move || {
        if encode {
            add(&mut jar);
        }
        if decode { get(&jar) } else { 0 }
    };
    (id, run)
}

/// The std API: `CookieStore::save` (payload, system clock, IV from the
/// pool, `Set-Cookie` line) then `get` (from a `Cookie` header, into a
/// `Session<String>`). Same key/value bytes as our kv payloads; `max` is the
/// longest value whose `name=value` fits the store's 4096-character limit.
fn store(c: &mut Criterion, case: &str, op: &str) {
    use securecookie::{CookieConfig, CookieStore, Session};
    let keys = Keys::new(&HASH_KEY, Some(&AES256_KEY)).unwrap();
    let store = CookieStore::<String>::new(CookieConfig::default(), [keys]).unwrap();
    // The `name=value` pair a browser sends back for a `Set-Cookie` line.
    fn pair(line: &str) -> &str {
        line.split(';').next().unwrap()
    }
    let session_of = |value_len: usize| -> Session<String> {
        let mut session = store.new_session(NAME);
        let value: String = (0..value_len)
            .map(|i| (b'a' + (i % 26) as u8) as char)
            .collect();
        session.set("data", value);
        session
    };
    {
        let session = match case {
            "typical" => {
                let mut session = store.new_session(NAME);
                session.set("user-id", "a1b2c3".to_string());
                session
            }
            // One `data` entry: 1 + 4 + 2 + 1017 = 1024 payload bytes.
            "1k" => session_of(1017),
            _ => {
                let fits = |len: usize| store.save(&session_of(len)).is_ok();
                let max = (0..4096).rev().find(|&len| fits(len)).unwrap();
                assert!(!fits(max + 1));
                session_of(max)
            }
        };
        let line = store.save(&session).unwrap();
        assert_eq!(store.get(pair(&line), NAME).unwrap(), session);
        let id = format!("{op}/store/{case}");
        match op {
            "encode" => c.bench_function(&id, |b| {
                b.iter(|| black_box(store.save(black_box(&session)).unwrap().len()))
            }),
            "decode" => c.bench_function(&id, |b| {
                b.iter(|| black_box(store.get(black_box(pair(&line)), NAME).unwrap().len()))
            }),
            _ => c.bench_function(&id, |b| {
                b.iter(|| {
                    let line = store.save(black_box(&session)).unwrap();
                    black_box(store.get(pair(&line), NAME).unwrap().len())
                })
            }),
        };
    }
}

/// Where the std path spends its time beyond the core: the IV pool (which
/// checks the process id on every call), one `getrandom` call per IV, the
/// process id alone, the clock, and `encode_now` against `encode`.
fn bench_parts(c: &mut Criterion) {
    c.bench_function("iv/pool/random", |b| {
        b.iter(|| black_box(Iv::random().unwrap()))
    });
    c.bench_function("iv/getrandom/16", |b| {
        b.iter(|| {
            let mut iv = [0u8; 16];
            getrandom::fill(&mut iv).unwrap();
            black_box(iv)
        })
    });
    c.bench_function("iv/getpid/1", |b| b.iter(|| black_box(std::process::id())));
    c.bench_function("clock/system-time/1", |b| {
        b.iter(|| black_box(std::time::SystemTime::now()))
    });
    let codec = Codec::new(Keys::new(&HASH_KEY, Some(&AES256_KEY)).unwrap());
    let payload = typical();
    let mut out = vec![0u8; codec.encoded_len(payload.len(), NOW)];
    c.bench_function("encode_now/compact/typical", |b| {
        b.iter(|| {
            let cookie = codec.encode_now(NAME, black_box(&payload), &mut out);
            black_box(cookie.unwrap().len())
        })
    });
    c.bench_function("encode_random_iv/compact/typical", |b| {
        b.iter(|| {
            let iv = Iv::random().unwrap();
            let cookie = codec.encode(NAME, black_box(&payload), NOW, iv, &mut out);
            black_box(cookie.unwrap().len())
        })
    });
}

/// Our table codec against `base64ct` (constant time), on the lengths the
/// envelopes use: a typical compact cookie (unpadded), a typical gorilla
/// cookie (padded) and the 4096-character limit.
fn bench_base64(c: &mut Criterion) {
    use base64ct::{Base64Url, Base64UrlUnpadded, Encoding};
    let raw: Vec<u8> = (0..3072u32).map(|i| (i * 151 + 7) as u8).collect();
    // (case, raw bytes, padded)
    let cases = [
        ("compact-typical", 73, false),
        ("gorilla-typical", 84, true),
        ("4096", 3072, false),
    ];
    for (case, n, padded) in cases {
        let raw = &raw[..n];
        let mut text = vec![0u8; 4096];
        let text = if padded {
            Base64Url::encode(raw, &mut text).unwrap()
        } else {
            Base64UrlUnpadded::encode(raw, &mut text).unwrap()
        }
        .to_owned();
        let mut buf = vec![0u8; text.len() + 4];
        let mut own_out = vec![0u8; text.len()];
        let start = text.len() - n;
        own_out[start..].copy_from_slice(raw);
        b64::encode_in_place(&mut own_out, start, n, padded);
        assert_eq!(own_out, text.as_bytes());
        c.bench_function(&format!("b64-decode/own/{case}"), |b| {
            b.iter(|| black_box(b64::decode(black_box(text.as_bytes()), &mut buf, padded).unwrap()))
        });
        c.bench_function(&format!("b64-decode/base64ct/{case}"), |b| {
            b.iter(|| {
                let text = black_box(text.as_bytes());
                let out = if padded {
                    Base64Url::decode(text, &mut buf)
                } else {
                    Base64UrlUnpadded::decode(text, &mut buf)
                };
                black_box(out.unwrap().len())
            })
        });
        let mut enc = vec![0u8; text.len()];
        c.bench_function(&format!("b64-encode/own/{case}"), |b| {
            b.iter(|| {
                enc[start..].copy_from_slice(black_box(raw));
                black_box(b64::encode_in_place(&mut enc, start, n, padded))
            })
        });
        c.bench_function(&format!("b64-encode/base64ct/{case}"), |b| {
            b.iter(|| {
                let raw = black_box(raw);
                let out = if padded {
                    Base64Url::encode(raw, &mut enc)
                } else {
                    Base64UrlUnpadded::encode(raw, &mut enc)
                };
                black_box(out.unwrap().len())
            })
        });
    }
}

/// Everything, ordered so that each ratio the report takes compares two
/// benchmarks run one right after the other: a shared machine's load drifts
/// over minutes, much less over seconds.
fn bench_all(c: &mut Criterion) {
    // The first benchmark of a run otherwise pays for a cold CPU (clock
    // ramping up, caches and branch predictors empty): spin for two seconds.
    let codec = Codec::new(Keys::new(&HASH_KEY, Some(&AES256_KEY)).unwrap());
    let mut out = [0u8; 128];
    let start = std::time::Instant::now();
    while start.elapsed().as_secs() < 2 {
        let iv = Iv::from_random_bytes(black_box(IV));
        black_box(codec.encode(NAME, &typical(), NOW, iv, &mut out).unwrap());
    }
    for case in CASES {
        for op in ["encode", "decode"] {
            ours(c, "compact", case, op);
            floor_tuned(c, case, op);
            floor(c, false, case, op);
            ours(c, "gorilla", case, op);
            floor(c, true, case, op);
        }
        ours(c, "compact", case, "roundtrip");
        roundtrip_osiv(c, case);
        cookie_jar(c, true, case, "roundtrip");
        // The store right between its two baselines.
        roundtrip_osrng(c, case);
        store(c, case, "roundtrip");
        ours(c, "compact-signed", case, "roundtrip");
        cookie_jar(c, false, case, "roundtrip");
    }
    for case in CASES {
        ours(c, "gorilla", case, "roundtrip");
        for name in ["compact-aes128", "gorilla-aes128", "gorilla-signed"] {
            for op in ["encode", "decode", "roundtrip"] {
                ours(c, name, case, op);
            }
        }
        for op in ["encode", "decode"] {
            ours(c, "compact-signed", case, op);
            cookie_jar(c, true, case, op);
            cookie_jar(c, false, case, op);
            store(c, case, op);
        }
    }
    bench_parts(c);
    bench_base64(c);
    bench_zeroize(c);
}

/// What wiping on drop adds per cookie (issue 12). The `zeroize` features
/// of `hmac`, `sha2`, `aes` and `ctr` overwrite, per compact roundtrip (an
/// encode and a decode), two cloned HMAC-SHA256 states, two CTR keystream
/// wrappers and two tag outputs; this wipes as many bytes with the same
/// volatile writes. Compare with `roundtrip/compact/typical` of the same run.
/// The AES and HMAC key schedules in `Keys` are wiped once per codec, not
/// per cookie.
fn bench_zeroize(c: &mut Criterion) {
    use hmac::digest::zeroize::Zeroize;
    type HmacSha256 = hmac::Hmac<sha2::Sha256>;
    type Ctr = ctr::cipher::StreamCipherCoreWrapper<
        ctr::CtrCore<&'static aes::Aes256, ctr::flavors::Ctr128BE>,
    >;
    let per_side = size_of::<HmacSha256>() + size_of::<Ctr>() + 32;
    println!(
        "zeroize: {} bytes wiped per compact roundtrip",
        2 * per_side
    );
    let mut bytes = vec![0x5a_u8; 2 * per_side];
    c.bench_function("zeroize/wipe/typical", |b| {
        b.iter(|| black_box(&mut bytes[..]).zeroize())
    });
}

criterion_group!(benches, bench_all);

/// `COOKIES_COUNT=<op>/<impl>/<case>:N` runs that benchmark's body N times
/// and nothing else, for instruction counts (`cookies_instructions.sh`);
/// impl is `floor-tuned`, `cookie-private`, `cookie-signed` or one of ours. Otherwise criterion as usual.
fn main() {
    if let Ok(spec) = std::env::var("COOKIES_COUNT") {
        let (id, n) = spec.split_once(':').expect("<op>/<impl>/<case>:N");
        let n: usize = n.parse().expect("a count");
        let mut parts = id.split('/');
        let (op, name, case) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let mut run = count_op(name, case, op);
        for _ in 0..n {
            black_box(run());
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

/// One run of `<op>/<name>/<case>` as a closure (the tuned floor: encode
/// or decode only).
fn count_op(name: &str, case: &str, op: &str) -> Box<dyn FnMut() -> usize> {
    if name == "floor-tuned" {
        return tuned_op(case, op).1;
    }
    if let Some(jar) = name.strip_prefix("cookie-") {
        return Box::new(jar_op(jar == "private", case, op).1);
    }
    let codec = codecs().into_iter().find(|(n, _)| *n == name).unwrap().1;
    let payload = payload(case, codec.max_payload_len(NOW));
    let cookie = encode_once(&codec, &payload);
    let mut out = vec![0u8; cookie.len()];
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    if op == "encode" {
        Box::new(move || {
            let iv = Iv::from_random_bytes(black_box(IV));
            codec
                .encode(NAME, black_box(&payload), NOW, iv, &mut out)
                .unwrap()
                .len()
        })
    } else if op == "roundtrip" {
        Box::new(move || {
            let iv = Iv::from_random_bytes(black_box(IV));
            roundtrip_core(&codec, &payload, iv, &mut out, &mut buf)
        })
    } else {
        Box::new(move || {
            let d = codec.decode(NAME, black_box(&cookie), LATER, &mut buf);
            d.unwrap().payload.len()
        })
    }
}
