//! Sharing a session cookie with a Go service (dghubble/sessions or
//! gorilla/sessions over gorilla/securecookie).
//!
//! Run with `cargo run --example go_sessions --features go`.

use securecookie::go::{GoMap, GoSerializer, GoValue, gob};
use securecookie::{Codec, CookieConfig, CookieStore, Error, Keys, decode_buf_len, header};

/// A cookie written by Go's gorilla/securecookie 1.1.1 with the default gob
/// serializer, for `map[string]string{"user-id": "a1b2c3"}` (the golden
/// vector of tests/vectors, dated 1700000000).
const FROM_GO: &str = "MTcwMDAwMDAwMHw4UEh5OF9UMTl2ZjQtZnI3X1AzLV82V0dDbkQ0ZnVTZU5ybDFKdjRJWkFlSzNvbmFZY0MwSngyVDJ5UmV2cEF4UEs3N3xLo1YVBSznws_XrcumQyZiJZWY5EXZDt4HnFE1OMQcxA==";

fn main() -> Result<(), Error> {
    // The Go service's keys: hash key, then AES-256 block key.
    let hash_key: Vec<u8> = (0..32).collect();
    let block_key: Vec<u8> = (0xc0..0xe0).collect();
    // Go's securecookie checks a 30-day max age by default, as we do.
    let codec = Codec::gorilla(Keys::new(&hash_key, Some(&block_key))?);

    // Read the session Go wrote.
    let cookie_header = format!("theme=dark; session={FROM_GO}");
    let value = header::find(&cookie_header, "session").ok_or(Error::NoCookie)?;
    let mut buf = vec![0u8; decode_buf_len(value.len())];
    let now = 1_700_000_000 + 60; // use `codec.decode_now` in a real server
    let decoded = codec.decode("session", value, now, &mut buf)?;
    let (mut session, map_type) = gob::decode_typed(decoded.payload)?;
    let user_id = session.get("user-id").and_then(GoValue::as_str);
    println!("user-id from Go: {user_id:?} ({map_type:?})");

    // Change it and write it back in the same Go type, for Go to read.
    session.insert("lang".into(), "fr".into());
    let mut payload = Vec::new();
    gob::encode(&session, map_type, &mut payload)?;
    let mut out = vec![0u8; codec.get_max_length()];
    let cookie = codec.encode_now("session", &payload, &mut out)?;
    println!("Set-Cookie: session={cookie}");

    // A gorilla/sessions service reads map[interface{}]interface{} instead.
    let mut flags = GoMap::new();
    flags.insert("authenticated".into(), true.into());
    flags.insert("visits".into(), 3i64.into());
    let mut payload = Vec::new();
    gob::encode_any_map(&flags, &mut payload)?;
    println!("gorilla/sessions payload: {} bytes of gob", payload.len());

    // The same through the session store: what dghubble/sessions'
    // NewCookieStore[string](DefaultCookieConfig, hashKey, blockKey) does.
    let keys = Keys::new(&hash_key, Some(&block_key))?;
    let store = CookieStore::<String>::go_compatible(CookieConfig::default(), [keys.clone()])?;
    let session = store.get_at(&cookie_header, "session", now)?;
    println!("store: user-id {:?}", session.get("user-id"));
    println!("Set-Cookie: {}", store.save(&session)?);

    // Moving off Go's format: read both, write compact.
    let migrating = CookieStore::<String>::new(CookieConfig::default(), [keys])?
        .migrate_from_go(GoSerializer::Gob);
    let (session, outdated) = migrating.get_outdated_at(&cookie_header, "session", now)?;
    println!("migrating: Go cookie read (re-issue: {outdated})");
    println!("Set-Cookie: {}", migrating.save(&session)?);
    Ok(())
}
