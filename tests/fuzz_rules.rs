//! The fuzz harnesses check the crate against rules written again on their
//! own (`tests/fuzz_rules/rules.rs`, which `fuzz/src/lib.rs` includes). If those drift from the crate, a fuzzer
//! reports a crash that is the harness's own (issue 13: `is_token` lacked
//! the 1,024-byte cap). This compares them with the crate on the edges.

// tests/fuzz_rules/rules.rs: here rather than in fuzz/ so that the
// published package (which leaves fuzz/ out) still builds this test.
#[allow(dead_code)]
#[path = "fuzz_rules/rules.rs"]
mod rules;

use securecookie::envelope::MAX_NAME_LEN;
use securecookie::{Codec, Error, Format, Iv, Keys};

fn codec(format: Format) -> Codec {
    Codec::with_format(Keys::new(&[7; 32], Some(&[9; 16])).unwrap(), format)
}

/// The crate's name check, seen through `encode`.
fn crate_accepts(name: &str) -> bool {
    let mut out = [0u8; 2048];
    let iv = Iv::from_random_bytes([0; 16]);
    match codec(Format::Compact).encode(name, b"", 1, iv, &mut out) {
        Ok(_) => true,
        Err(Error::InvalidName) => false,
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn name_rules_agree_with_the_crate() {
    assert_eq!(rules::MAX_NAME_LEN, MAX_NAME_LEN);
    for len in [0, 1, 31, 32, 59, 60, 64, 1023, 1024, 1025, 1100] {
        let name = "a".repeat(len);
        assert_eq!(rules::is_token(&name), crate_accepts(&name), "{len}");
    }
    for c in 0..=0x7f_u8 {
        let name = format!("a{}z", c as char);
        assert_eq!(rules::is_token(&name), crate_accepts(&name), "{c:#x}");
    }
    for name in ["é", "aé", "__Host-x", "!#$%&'*+-.^_`|~"] {
        assert_eq!(rules::is_token(name), crate_accepts(name), "{name}");
    }
}

#[test]
fn split_name_reaches_long_names_and_inverts_name_header() {
    for len in [1, 31, 32, 60, 1024, 1025, rules::MAX_FUZZ_NAME_LEN] {
        let name = "n".repeat(len);
        let mut data = rules::name_header(&name);
        data.extend_from_slice(name.as_bytes());
        data.extend_from_slice(b"cookie");
        assert_eq!(
            rules::split_name(&data),
            Some((name.as_str(), &b"cookie"[..]))
        );
    }
    // The widest second byte still gives at most 1,100 bytes.
    let mut data = vec![0xff, 0xff];
    data.extend_from_slice(&[b'n'; 1200]);
    let (name, _) = rules::split_name(&data).unwrap();
    assert!((32..=rules::MAX_FUZZ_NAME_LEN).contains(&name.len()));
}

#[test]
fn time_rules_agree_with_the_crate() {
    const TS: u64 = 1_800_000_000;
    let ages = [0, 1, 10, u64::MAX - TS, u64::MAX];
    for format in [Format::Compact, Format::Gorilla] {
        for ts in [0, TS, u64::MAX] {
            let mut out = [0u8; 256];
            let codec = codec(format);
            let iv = Iv::from_random_bytes([3; 16]);
            let cookie = codec.encode("s", b"x", ts, iv, &mut out).unwrap();
            for now in [
                0,
                1,
                ts.saturating_sub(11),
                ts.saturating_sub(10),
                ts,
                ts.saturating_add(9),
            ]
            .into_iter()
            .chain([ts.saturating_add(10), ts.saturating_add(11), u64::MAX])
            {
                for &max_age in &ages {
                    for &min_age in &ages {
                        for &skew in &ages {
                            let c = codec
                                .clone()
                                .max_age(max_age)
                                .min_age(min_age)
                                .max_skew(skew);
                            let mut buf = [0u8; 256];
                            let got = c.decode("s", cookie, now, &mut buf).map(|_| ());
                            let skew = (format == Format::Compact).then_some(skew);
                            let want = rules::time_verdict(ts, now, max_age, min_age, skew);
                            assert_eq!(
                                got, want,
                                "{format:?} ts {ts} now {now} {max_age} {min_age} {skew:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}
