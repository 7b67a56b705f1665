//! The codec's run: a session through `securecookie` as a firmware would
//! use it.

use core::hint::black_box;
use securecookie::{Codec, Error, Iv, Keys, header, kv};

use crate::{BLOCK_KEY, COOKIE_BUF, DECODE_BUF, HASH_KEY, HEADER_BUF, PAYLOAD_BUF, Step};

fn codec() -> Option<Codec> {
    // `black_box`: the keys must look like run-time data (from flash or a
    // secure element), or the compiler could precompute everything.
    let hash = black_box(HASH_KEY);
    let block = black_box(BLOCK_KEY);
    let block = if cfg!(feature = "aes256") {
        Some(&block[..])
    } else {
        None
    };
    let keys = Keys::new(&hash, block).ok()?;
    #[cfg(feature = "gorilla")]
    let codec = Codec::gorilla(keys);
    #[cfg(not(feature = "gorilla"))]
    let codec = Codec::new(keys);
    Some(codec)
}

/// Encode, find in a `Cookie` header, decode, check, tamper, refuse.
pub fn run() -> Step {
    let Some(codec) = codec() else {
        return Step::Keys;
    };
    let now: u64 = black_box(1_800_000_000);

    let mut payload = [0u8; PAYLOAD_BUF];
    let mut writer = kv::KvWriter::new(&mut payload);
    if writer.push("user-id", black_box(b"a1b2c3")).is_err() {
        return Step::Payload;
    }
    let payload = writer.finish();

    let mut out = [0u8; COOKIE_BUF];
    // A real device fills the IV from its hardware RNG.
    let iv = Iv::from_fn(|b| *b = black_box([0x5a; 16]));
    // Bytes, not `&str`: they go straight into a response, and the UTF-8
    // check `encode` makes costs flash a firmware need not spend.
    let Ok(cookie) = codec.encode_bytes("session", payload, now, iv, &mut out) else {
        return Step::Encode;
    };

    // The request's Cookie header, as the HTTP parser hands it over: bytes.
    let mut header_buf = [0u8; HEADER_BUF];
    let prefix = b"theme=dark; session=";
    let end = prefix.len() + cookie.len();
    if end > HEADER_BUF {
        return Step::Header;
    }
    header_buf[..prefix.len()].copy_from_slice(prefix);
    header_buf[prefix.len()..end].copy_from_slice(cookie);

    let mut buf = [0u8; DECODE_BUF];
    match decode(&codec, &header_buf[..end], now + 5, &mut buf) {
        Ok(p) if kv::get(p, "user-id") == Ok(Some(&b"a1b2c3"[..])) => {}
        Ok(_) => return Step::Payload2,
        Err(_) => return Step::Decode,
    }

    // One character in the middle of the cookie changed ('A' <-> 'B'): the
    // MAC must refuse it, and nothing else may.
    let i = prefix.len() + cookie.len() / 2;
    header_buf[i] = if header_buf[i] == b'A' { b'B' } else { b'A' };
    match decode(&codec, &header_buf[..end], now + 5, &mut buf) {
        Err(Some(Error::MacMismatch)) => Step::Ok,
        _ => Step::Tampered,
    }
}

/// Finds the `session` cookie in a header and decodes it; `Err(None)` when
/// it is not there.
fn decode<'b>(
    codec: &Codec,
    header_bytes: &[u8],
    now: u64,
    buf: &'b mut [u8],
) -> Result<&'b [u8], Option<Error>> {
    let value = header::find_bytes(black_box(header_bytes), "session").ok_or(None)?;
    match codec.decode("session", value, now, buf) {
        Ok(d) => Ok(d.payload),
        Err(e) => Err(Some(e)),
    }
}
