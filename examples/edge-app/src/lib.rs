//! The login demo of `examples/server.rs` without an allocator: the same
//! routes, form, pages, cookie attributes and bad-cookie behaviour, over
//! plain byte buffers, for servers where the crate's std session layer
//! cannot go. Two hosts share it: examples/worker (a Cloudflare Worker: the
//! wasm module gets the request from JavaScript) and examples/firmware (a
//! picoserve server, on a microcontroller or on tokio). Copy this folder
//! with either.
//!
//! The session payload is the one the crate's `SessionLayer` writes (a
//! [`kv`] payload with the creation time under `"\0c"` and flash values
//! under `"\0f" + key`), so a cookie made here loads in the axum demo and
//! the other way round, under the same `SESSION_SECRET`.

#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use core::fmt::{self, Write};

pub use securecookie;

pub mod pages;
use securecookie::set_cookie::{SameSite, SetCookie};
use securecookie::{Codec, Error, Iv, Keys, decode_buf_len, header, kv};

/// The session cookie's name, as in the axum demo.
pub const SESSION: &str = "my-app";
/// The session key holding the logged-in user.
pub const USER_ID: &str = "user-id";
/// The layer's creation stamp (decimal Unix seconds).
const CREATED: &str = "\0c";
/// The layer's flash key for the login notice (`"\0f"` + `notice`).
const NOTICE: &str = "\0fnotice";
/// `Max-Age` and the age past which a cookie is refused: 7 days, the
/// native `CookieConfig::default()`.
pub const MAX_AGE: u64 = 7 * 24 * 60 * 60;
/// The longest cookie browsers keep, and the longest we read.
pub const MAX_COOKIE_LEN: usize = 4096;
/// Room for a `Set-Cookie` line: the cookie and its attributes.
pub const SET_COOKIE_LEN: usize = MAX_COOKIE_LEN + 160;

/// What the request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `GET /`: the login form, or a link to the welcome page.
    Index,
    /// `POST /login` with the form field `user-id`.
    Login,
    /// `GET /welcome`: the user's page, or 401.
    Welcome,
    /// `POST /logout`.
    Logout,
}

/// One request, as the runtime gives it.
pub struct Request<'a> {
    /// The route.
    pub route: Route,
    /// The `Cookie` header ("" when absent).
    pub cookie: &'a str,
    /// The form body of `POST /login`.
    pub body: &'a str,
    /// The clock, Unix seconds.
    pub now: u64,
    /// 16 fresh random bytes for the IV, should a cookie be written.
    pub iv: [u8; 16],
    /// `Secure` on the cookie (`INSECURE_COOKIES=1` turns it off).
    pub secure: bool,
}

/// What [`respond`] wrote: the body and the `Set-Cookie` line are in the
/// caller's buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// `Location`, for a redirect.
    pub location: Option<&'static str>,
    /// The length of the `Set-Cookie` line (0: no header).
    pub set_cookie_len: usize,
    /// The body's length.
    pub body_len: usize,
    /// `text/html` (else `text/plain`).
    pub html: bool,
}

/// A `fmt::Write` over a byte slice that says when it ran out of room.
pub struct Out<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Out<'a> {
    /// Writes from the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Out { buf, len: 0 }
    }

    /// The bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Write for Out<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The session a request carried.
enum Loaded<'p> {
    /// No session cookie.
    None,
    /// A cookie that did not decode (tampered, expired, other keys, ...).
    Refused(Error),
    /// A good cookie: its payload (a checked [`kv`] payload) and when it
    /// was issued.
    Good {
        payload: &'p [u8],
        issued: u64,
        cookie_len: usize,
    },
}

impl<'p> Loaded<'p> {
    fn get(&self, key: &str) -> Option<&'p [u8]> {
        match self {
            // The payload was validated when loaded.
            Loaded::Good { payload, .. } => kv::get(payload, key).ok().flatten(),
            _ => None,
        }
    }

    fn user(&self) -> Option<&'p str> {
        self.get(USER_ID)
            .and_then(|id| core::str::from_utf8(id).ok())
    }
}

fn load<'p>(codec: &Codec, cookie_header: &str, now: u64, buf: &'p mut [u8]) -> Loaded<'p> {
    let Some(value) = header::find(cookie_header, SESSION) else {
        return Loaded::None;
    };
    if decode_buf_len(value.len()) > buf.len() {
        return Loaded::Refused(Error::TooLong {
            len: value.len(),
            max: MAX_COOKIE_LEN,
        });
    }
    match codec.decode(SESSION, value, now, buf) {
        Ok(d) => match kv::validate(d.payload) {
            Ok(_) => Loaded::Good {
                payload: d.payload,
                issued: d.timestamp,
                cookie_len: value.len(),
            },
            Err(e) => Loaded::Refused(e.into()),
        },
        Err(e) => Loaded::Refused(e),
    }
}

/// The codec of every route: the compact envelope, refused past
/// [`MAX_AGE`].
pub fn codec(keys: &Keys) -> Codec {
    Codec::new(keys.clone()).max_age(MAX_AGE)
}

/// Answers `req`: writes the body into `body` and the `Set-Cookie` line (if
/// any) into `set_cookie`, using `work` as scratch space.
pub fn respond(
    codec: &Codec,
    req: &Request,
    set_cookie: &mut [u8; SET_COOKIE_LEN],
    body: &mut [u8],
    work: &mut [u8; WORK_LEN],
) -> Response {
    let (decode_buf, encode_buf) = work.split_at_mut(SLOT);
    let loaded = load(codec, req.cookie, req.now, decode_buf);
    let mut cookie = Out::new(set_cookie);
    let mut page = Out::new(body);
    let mut res = Response {
        status: 200,
        location: None,
        set_cookie_len: 0,
        body_len: 0,
        html: true,
    };
    let attrs = Attrs {
        now: req.now,
        secure: req.secure,
    };
    let written = match req.route {
        Route::Index => index(&loaded, &mut page),
        Route::Login => match login(codec, req, attrs, encode_buf, &mut cookie) {
            Ok(()) => {
                res.status = 303;
                res.location = Some("/welcome");
                Ok(())
            }
            Err(Refusal::BadForm) => {
                res.status = 400;
                res.html = false;
                page.write_str("user-id: 1 to 64 of A-Z a-z 0-9 - _ .")
            }
            Err(Refusal::Full) => Err(fmt::Error),
        },
        Route::Welcome => welcome(
            codec,
            req,
            attrs,
            &loaded,
            encode_buf,
            &mut cookie,
            &mut page,
        )
        .map(|ok| res.status = if ok { 200 } else { 401 }),
        Route::Logout => {
            res.status = 303;
            res.location = Some("/");
            attrs.clear(&mut cookie)
        }
    };
    // The layer's rule: a refused cookie is cleared, unless a new one was
    // written.
    if written.is_ok() && matches!(loaded, Loaded::Refused(_)) && cookie.is_empty() {
        let _ = attrs.clear(&mut cookie);
    }
    if written.is_err() {
        // Out of room: no half page, no half cookie.
        return Response {
            status: 500,
            location: None,
            set_cookie_len: 0,
            body_len: 0,
            html: false,
        };
    }
    res.set_cookie_len = cookie.len();
    res.body_len = page.len();
    res
}

/// One cookie-sized piece of scratch space.
const SLOT: usize = MAX_COOKIE_LEN + 64;
/// Scratch space: one piece to decode into, one for a new payload, one to
/// encode into.
pub const WORK_LEN: usize = 3 * SLOT;

enum Refusal {
    BadForm,
    Full,
}

/// The cookie attributes of the axum demo (`CookieConfig::default()`):
/// `Path=/`, `Expires` and `Max-Age` 7 days, `HttpOnly`, `Secure`,
/// `SameSite=Lax`.
#[derive(Clone, Copy)]
struct Attrs {
    now: u64,
    secure: bool,
}

impl Attrs {
    fn line<'a>(self, value: &'a str, expires: u64, max_age: u64) -> SetCookie<'a> {
        SetCookie {
            path: Some("/"),
            expires: Some(expires),
            max_age: Some(max_age),
            http_only: true,
            secure: self.secure,
            same_site: Some(SameSite::Lax),
            ..SetCookie::new(SESSION, value)
        }
    }

    fn set(self, value: &str, out: &mut Out) -> fmt::Result {
        self.line(value, self.now.saturating_add(MAX_AGE), MAX_AGE)
            .write_to(out)
    }

    /// The cookie expired, as the native store's `destroy` writes it.
    fn clear(self, out: &mut Out) -> fmt::Result {
        self.line("", 1, 0).write_to(out)
    }
}

fn login(
    codec: &Codec,
    req: &Request,
    attrs: Attrs,
    work: &mut [u8],
    cookie: &mut Out,
) -> Result<(), Refusal> {
    // A real app checks a password here; the demo takes the id it is given.
    let id = form_field(req.body, USER_ID)
        .filter(|id| is_valid_user_id(id))
        .ok_or(Refusal::BadForm)?;
    let (payload_buf, out) = work.split_at_mut(256);
    let payload = login_payload(id, req.now, payload_buf).map_err(|_| Refusal::Full)?;
    let value = codec
        .encode(
            SESSION,
            payload,
            req.now,
            Iv::from_random_bytes(req.iv),
            out,
        )
        .map_err(|_| Refusal::Full)?;
    attrs.set(value, cookie).map_err(|_| Refusal::Full)
}

/// The session the layer writes at login: the creation stamp, the flash
/// notice, the user.
fn login_payload<'p>(id: &str, now: u64, buf: &'p mut [u8]) -> Result<&'p [u8], fmt::Error> {
    let mut stamp_buf = [0u8; 20];
    let mut stamp = Out::new(&mut stamp_buf);
    write!(stamp, "{now}")?;
    let mut notice_buf = [0u8; 96];
    let mut notice = Out::new(&mut notice_buf);
    write!(notice, "Logged in as {id}.")?;
    let mut w = kv::KvWriter::new(buf);
    // Keys in ascending order, as kv requires: "\0c" < "\0f..." < "user-id".
    for (key, value) in [
        (CREATED, stamp.written()),
        (NOTICE, notice.written()),
        (USER_ID, id.as_bytes()),
    ] {
        w.push(key, value).map_err(|_| fmt::Error)?;
    }
    Ok(w.finish())
}

impl Out<'_> {
    fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The welcome page; `Ok(true)` for 200, `Ok(false)` for the 401 page.
fn welcome(
    codec: &Codec,
    req: &Request,
    attrs: Attrs,
    loaded: &Loaded,
    work: &mut [u8],
    cookie: &mut Out,
    page: &mut Out,
) -> Result<bool, fmt::Error> {
    let Some(id) = loaded.user() else {
        let why = match loaded {
            Loaded::Good { .. } => "missing user-id",
            _ => "missing session",
        };
        let refused = match loaded {
            Loaded::Refused(e) => Some(e as &dyn fmt::Display),
            _ => None,
        };
        pages::unauthorized(page, why, refused)?;
        return Ok(false);
    };
    let Loaded::Good {
        payload,
        issued,
        cookie_len,
    } = *loaded
    else {
        unreachable!("a user id comes from a good cookie")
    };
    // Taking the flash notice changes the session, and a cookie past half
    // its age is renewed (the layer's rolling renewal): write a new one.
    let notice = loaded.get(NOTICE);
    let rolling_due = req.now.saturating_sub(issued) >= MAX_AGE / 2;
    let (mut issued, mut cookie_len) = (issued, cookie_len);
    if notice.is_some() || rolling_due {
        let (payload_buf, out) = work.split_at_mut(SLOT);
        let mut w = kv::KvWriter::new(payload_buf);
        for (key, value) in kv::KvReader::new(payload).flatten() {
            if key != NOTICE {
                w.push(key, value).map_err(|_| fmt::Error)?;
            }
        }
        let iv = Iv::from_random_bytes(req.iv);
        let value = codec
            .encode(SESSION, w.finish(), req.now, iv, out)
            .map_err(|_| fmt::Error)?;
        attrs.set(value, cookie)?;
        (issued, cookie_len) = (req.now, value.len());
    }
    let notice = notice.and_then(|n| core::str::from_utf8(n).ok());
    pages::welcome(page, id, notice, STORED, cookie_len, issued)?;
    Ok(true)
}

fn index(loaded: &Loaded, page: &mut Out) -> fmt::Result {
    pages::index(page, loaded.user())
}

/// Where the welcome page says the session lives.
const STORED: &str =
    "in the cookie: compact envelope, encrypted (AES-CTR) and signed (HMAC-SHA256)";

/// A field of an `application/x-www-form-urlencoded` body. The demo's
/// user ids need no percent-decoding: their characters are sent as is.
pub fn form_field<'b>(body: &'b str, name: &str) -> Option<&'b str> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// 1 to 64 of `A-Z a-z 0-9 - _ .`, as the axum demo.
pub fn is_valid_user_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// HTML-escaped text, written without a buffer.
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(route: Route, cookie: &str, body: &str, now: u64) -> (Response, String, String) {
        let codec = codec(&Keys::new(&[7; 32], Some(&[9; 32])).unwrap());
        let req = Request {
            route,
            cookie,
            body,
            now,
            iv: [5; 16],
            secure: true,
        };
        let mut set_cookie = [0u8; SET_COOKIE_LEN];
        let mut body = [0u8; 8192];
        let mut work = [0u8; WORK_LEN];
        let res = respond(&codec, &req, &mut set_cookie, &mut body, &mut work);
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
        (
            res,
            text(&set_cookie[..res.set_cookie_len]),
            text(&body[..res.body_len]),
        )
    }

    fn value(line: &str) -> &str {
        line.split(';').next().unwrap()
    }

    #[test]
    fn login_then_welcome_renews_past_half_the_max_age_only() {
        let now = 1_800_000_000;
        let (res, line, _) = call(Route::Login, "", "user-id=a1b2c3", now);
        assert_eq!((res.status, res.location), (303, Some("/welcome")));
        // The flash notice is taken: a new cookie, then none until half the
        // max age has passed.
        let (res, line, page) = call(Route::Welcome, value(&line), "", now + 1);
        assert_eq!(res.status, 200);
        assert!(page.contains("Logged in as a1b2c3."));
        let (res, none, _) = call(Route::Welcome, value(&line), "", now + MAX_AGE / 2);
        assert_eq!((res.status, none.as_str()), (200, ""));
        let (res, renewed, _) = call(Route::Welcome, value(&line), "", now + 1 + MAX_AGE / 2);
        assert_eq!(res.status, 200);
        assert!(renewed.starts_with("my-app=") && renewed.contains("Max-Age=604800"));
        // Past the max age: refused and cleared.
        let (res, cleared, page) = call(Route::Welcome, value(&line), "", now + 2 + MAX_AGE);
        assert_eq!(res.status, 401);
        assert!(page.contains("refused"), "{page}");
        assert!(cleared.starts_with("my-app=;") && cleared.contains("Max-Age=0"));
    }

    #[test]
    fn bad_cookies_are_empty_sessions_never_a_panic() {
        let long = format!("my-app={}", "A".repeat(20_000));
        for cookie in ["my-app=", "my-app=%%%", "my-app=AAAA", long.as_str(), "x=1"] {
            for route in [Route::Index, Route::Welcome] {
                let (res, _, page) = call(route, cookie, "", 1_800_000_000);
                assert!(
                    matches!(res.status, 200 | 401),
                    "{cookie:.20}: {}",
                    res.status
                );
                assert!(!page.is_empty());
            }
        }
    }

    #[test]
    fn bad_logins_are_400_without_a_cookie() {
        for body in [
            "",
            "user-id=",
            "user-id=a%20b",
            "other=1",
            &format!("user-id={}", "a".repeat(65)),
        ] {
            let (res, line, _) = call(Route::Login, "", body, 1_800_000_000);
            assert_eq!((res.status, line.as_str()), (400, ""), "{body}");
        }
    }
}
