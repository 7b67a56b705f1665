//! The example Worker's sessions on the `cookie` crate's PrivateJar: one
//! private cookie `my-app` holding `issued|created|notice|user-id`, with the
//! same checks as ours (7-day max age, one minute of clock skew, rolling
//! renewal at half the age, the flash notice taken once, a refused cookie
//! cleared) and the same exports as examples/worker/src/lib.rs, so that the
//! same worker.mjs drives it.
#![deny(unsafe_code)]

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

use cookie::time::{Duration, OffsetDateTime};
use cookie::{Cookie, CookieJar, Key, SameSite};
use securecookie_edge_app::{MAX_AGE, SESSION, USER_ID, form_field, is_valid_user_id, pages};

const BUF_LEN: usize = 24 * 1024;
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU8 = AtomicU8::new(0);
static BUF: [AtomicU8; BUF_LEN] = [ZERO; BUF_LEN];
/// The clock skew allowed, as the compact codec's.
const MAX_SKEW: u64 = 60;
const STORED: &str = "in the cookie: the cookie crate's PrivateJar, AES-256-GCM";

thread_local! {
    static KEY: RefCell<Option<Key>> = const { RefCell::new(None) };
    /// The request's random bytes, for getrandom (see [`fill`]).
    static RANDOM: RefCell<[u8; 16]> = const { RefCell::new([0; 16]) };
}

/// getrandom's source: the 16 bytes of crypto.getRandomValues the shim
/// passes with each request. thread_rng asks once, for its 32-byte seed;
/// repeating 16 fresh bytes is not for a real Worker (one reason to prefer
/// ours, which takes its IV from the shim), but costs what a real source
/// would here: nothing per request.
fn fill(dest: &mut [u8]) -> Result<(), getrandom::Error> {
    RANDOM.with(|r| {
        let r = r.borrow();
        for (d, s) in dest.iter_mut().zip(r.iter().cycle()) {
            *d = *s;
        }
    });
    Ok(())
}
getrandom::register_custom_getrandom!(fill);

fn load(at: usize, dst: &mut [u8]) {
    for (d, s) in dst.iter_mut().zip(&BUF[at..]) {
        *d = s.load(Relaxed);
    }
}

fn store(at: usize, src: &[u8]) {
    for (d, &s) in BUF[at..].iter().zip(src) {
        d.store(s, Relaxed);
    }
}

fn attributes(c: &mut Cookie<'static>, now: u64, secure: bool) {
    c.set_path("/");
    c.set_http_only(true);
    c.set_secure(secure);
    c.set_same_site(SameSite::Lax);
    c.set_max_age(Duration::seconds(MAX_AGE as i64));
    c.set_expires(OffsetDateTime::from_unix_timestamp((now + MAX_AGE) as i64).ok());
}

fn seal(jar: &mut CookieJar, key: &Key, value: String, now: u64, secure: bool) {
    let mut c = Cookie::new(SESSION, value);
    attributes(&mut c, now, secure);
    jar.private_mut(key).add(c);
}

/// The session the request carried.
enum Loaded {
    None,
    Refused(&'static str),
    Good {
        issued: u64,
        created: String,
        notice: String,
        user: String,
        len: usize,
    },
}

fn load_session(jar: &CookieJar, key: &Key, now: u64) -> Loaded {
    let Some(raw) = jar.get(SESSION) else {
        return Loaded::None;
    };
    let len = raw.value().len();
    let Some(c) = jar.private(key).get(SESSION) else {
        return Loaded::Refused("bad seal");
    };
    let mut parts = c.value().splitn(4, '|');
    let (Some(issued), Some(created), Some(notice), Some(user)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Loaded::Refused("malformed");
    };
    let Ok(issued) = issued.parse::<u64>() else {
        return Loaded::Refused("malformed");
    };
    if issued > now + MAX_SKEW {
        return Loaded::Refused("too new");
    }
    if now - issued.min(now) > MAX_AGE {
        return Loaded::Refused("expired");
    }
    Loaded::Good {
        issued,
        created: created.into(),
        notice: notice.into(),
        user: user.into(),
        len,
    }
}

struct Answer {
    status: u16,
    location: &'static str,
    html: bool,
    set_cookie: String,
    body: String,
}

fn answer(key: &Key, route: u32, cookie: &str, body: &str, now: u64, secure: bool) -> Answer {
    let mut jar = CookieJar::new();
    for c in Cookie::split_parse(cookie.to_string()).flatten() {
        jar.add_original(c);
    }
    let loaded = load_session(&jar, key, now);
    let mut a = Answer {
        status: 200,
        location: "",
        html: true,
        set_cookie: String::new(),
        body: String::new(),
    };
    match route {
        0 => {
            let user = match &loaded {
                Loaded::Good { user, .. } if !user.is_empty() => Some(user.as_str()),
                _ => None,
            };
            let _ = pages::index(&mut a.body, user);
        }
        1 => match form_field(body, USER_ID).filter(|id| is_valid_user_id(id)) {
            Some(id) => {
                seal(
                    &mut jar,
                    key,
                    format!("{now}|{now}|Logged in as {id}.|{id}"),
                    now,
                    secure,
                );
                a.status = 303;
                a.location = "/welcome";
            }
            None => {
                a.status = 400;
                a.html = false;
                a.body.push_str("user-id: 1 to 64 of A-Z a-z 0-9 - _ .");
            }
        },
        2 => match &loaded {
            Loaded::Good {
                issued,
                created,
                notice,
                user,
                len,
            } if !user.is_empty() => {
                let (mut issued, mut len) = (*issued, *len);
                if !notice.is_empty() || now.saturating_sub(issued) >= MAX_AGE / 2 {
                    seal(
                        &mut jar,
                        key,
                        format!("{now}|{created}||{user}"),
                        now,
                        secure,
                    );
                    len = jar.get(SESSION).map_or(0, |c| c.value().len());
                    issued = now;
                }
                let notice = (!notice.is_empty()).then_some(notice.as_str());
                let _ = pages::welcome(&mut a.body, user, notice, STORED, len, issued);
            }
            other => {
                a.status = 401;
                let why = if matches!(other, Loaded::Good { .. }) {
                    "missing user-id"
                } else {
                    "missing session"
                };
                let refused = match other {
                    Loaded::Refused(e) => Some(e as &dyn std::fmt::Display),
                    _ => None,
                };
                let _ = pages::unauthorized(&mut a.body, why, refused);
            }
        },
        _ => {
            a.status = 303;
            a.location = "/";
        }
    }
    let clear =
        route == 3 || (matches!(loaded, Loaded::Refused(_)) && jar.delta().next().is_none());
    if clear {
        // `CookieJar::remove` would date the removal from the clock
        // (`OffsetDateTime::now_utc`, which panics on wasm32-unknown-unknown
        // without wasm-bindgen): the expired cookie written as ours is.
        let mut c = Cookie::new(SESSION, "");
        attributes(&mut c, 0, secure);
        c.set_max_age(Duration::ZERO);
        c.set_expires(OffsetDateTime::from_unix_timestamp(1).ok());
        jar.add(c);
    }
    if let Some(c) = jar.delta().next() {
        let _ = write!(a.set_cookie, "{c}");
    }
    a
}

/// What JS calls: the exports of examples/worker/src/lib.rs.
#[allow(unsafe_code)]
pub mod exports {
    use super::*;

    /// Where the exchange buffer starts in linear memory.
    #[unsafe(no_mangle)]
    pub extern "C" fn buffer() -> usize {
        BUF.as_ptr() as usize
    }

    /// The exchange buffer's length.
    #[unsafe(no_mangle)]
    pub extern "C" fn buffer_len() -> usize {
        BUF_LEN
    }

    /// The master key from SESSION_SECRET (hex, 32 bytes or more), derived
    /// by the cookie crate's HKDF (`Key::derive_from`).
    #[unsafe(no_mangle)]
    pub extern "C" fn init(secret_len: usize) -> i32 {
        let mut text = vec![0u8; secret_len];
        load(0, &mut text);
        let hex = String::from_utf8_lossy(&text);
        let hex = hex.trim().trim_start_matches("hex:");
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| {
                hex.get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
            })
            .collect();
        match bytes.filter(|b| b.len() >= 32) {
            Some(b) => {
                KEY.with(|k| *k.borrow_mut() = Some(Key::derive_from(&b)));
                0
            }
            None => {
                let m = b"SESSION_SECRET: 32+ bytes of hex";
                store(0, m);
                -(m.len() as i32)
            }
        }
    }

    /// As examples/worker's `respond`.
    #[unsafe(no_mangle)]
    pub extern "C" fn respond(
        route: u32,
        cookie_len: usize,
        body_len: usize,
        now: u64,
        secure: u32,
    ) -> i32 {
        if route > 3 || cookie_len + body_len + 16 > BUF_LEN {
            return -2;
        }
        let mut input = vec![0u8; cookie_len + body_len + 16];
        load(0, &mut input);
        let (cookie, rest) = input.split_at(cookie_len);
        let (body, iv) = rest.split_at(body_len);
        RANDOM.with(|r| r.borrow_mut().copy_from_slice(iv));
        let Some(a) = KEY.with(|k| {
            k.borrow().as_ref().map(|key| {
                answer(
                    key,
                    route,
                    std::str::from_utf8(cookie).unwrap_or(""),
                    std::str::from_utf8(body).unwrap_or(""),
                    now,
                    secure != 0,
                )
            })
        }) else {
            return -1;
        };
        let mut head = [0u8; 8];
        head[..2].copy_from_slice(&a.status.to_le_bytes());
        head[2] = a.location.len() as u8;
        head[3] = a.html as u8;
        head[4..6].copy_from_slice(&(a.set_cookie.len() as u16).to_le_bytes());
        head[6..8].copy_from_slice(&(a.body.len() as u16).to_le_bytes());
        let mut at = 0;
        for part in [
            &head[..],
            a.location.as_bytes(),
            a.set_cookie.as_bytes(),
            a.body.as_bytes(),
        ] {
            store(at, part);
            at += part.len();
        }
        at as i32
    }
}
