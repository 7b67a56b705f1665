//! The login demo as a picoserve app: `GET /`, `POST /login` (form field
//! `user-id`), `GET /welcome`, `POST /logout`, with sessions sealed by
//! securecookie's no_std core. The routes, pages and session rules are
//! ../edge-app's (shared with the Cloudflare Worker); this file is the
//! picoserve glue: an extractor that answers the request with them, and
//! the response it writes.
//!
//! No allocator anywhere: the `Cookie` header and the form body are read
//! from picoserve's request buffer, the cookie and the page are written
//! into fixed buffers of the handler. The same code runs on tokio on the
//! host (src/bin/host.rs) and builds for `thumbv7em-none-eabihf`
//! (src/bin/firmware.rs), where the firmware supplies the clock and the
//! random IVs ([`Sessions`]).
#![cfg_attr(not(feature = "host"), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use picoserve::ResponseSent;
use picoserve::extract::FromRequest;
use picoserve::io::Read;
use picoserve::request::{ReadAllBodyError, RequestBody, RequestParts};
use picoserve::response::{
    Connection, Content, IntoResponse, Response, ResponseWriter, StatusCode,
};
use picoserve::routing::{PathRouter, get, post};
use securecookie_edge_app::securecookie::Codec;
use securecookie_edge_app::{self as app, Route, SET_COOKIE_LEN, WORK_LEN};

pub use securecookie_edge_app::securecookie;

/// The most bytes of page one response carries.
pub const PAGE_LEN: usize = 6 * 1024;

/// What the handlers share: the codec (keys checked and key schedules
/// computed once, at start-up), and the firmware's clock and randomness.
pub struct Sessions {
    /// The compact envelope under the keys of `SESSION_SECRET`.
    pub codec: Codec,
    /// Unix seconds (an RTC, or SNTP).
    pub clock: fn() -> u64,
    /// 16 random bytes for an IV (a hardware RNG).
    pub fill_iv: fn(&mut [u8; 16]),
    /// `Secure` on the cookie: false only to try the demo over plain HTTP
    /// on another host than localhost.
    pub secure: bool,
}

/// The demo's routes. Serve it with picoserve's `Server`, with a request
/// buffer of at least 5 KB (a 4 KB cookie must fit in the headers).
pub fn router() -> picoserve::Router<impl PathRouter<Sessions>, Sessions> {
    picoserve::Router::new()
        .route("/", get(async |a: Answer<INDEX>| a))
        .route("/login", post(async |a: Answer<LOGIN>| a))
        .route("/welcome", get(async |a: Answer<WELCOME>| a))
        .route("/logout", post(async |a: Answer<LOGOUT>| a))
}

const INDEX: u8 = 0;
const LOGIN: u8 = 1;
const WELCOME: u8 = 2;
const LOGOUT: u8 = 3;

/// The answer to a request on the route `ROUTE`: extracting it runs the
/// route (reads the session, writes the page and the cookie), returning it
/// writes the response.
pub struct Answer<const ROUTE: u8> {
    res: app::Response,
    set_cookie: [u8; SET_COOKIE_LEN],
    page: [u8; PAGE_LEN],
}

impl<'r, const ROUTE: u8> FromRequest<'r, Sessions> for Answer<ROUTE> {
    type Rejection = ReadAllBodyError;

    async fn from_request<R: Read>(
        state: &'r Sessions,
        parts: RequestParts<'r>,
        body: RequestBody<'r, R>,
    ) -> Result<Self, Self::Rejection> {
        let route = match ROUTE {
            INDEX => Route::Index,
            LOGIN => Route::Login,
            WELCOME => Route::Welcome,
            _ => Route::Logout,
        };
        // A header or body that is not UTF-8 reads as absent: a bad cookie
        // is an empty session, a bad form a 400.
        let cookie = parts
            .headers()
            .get("cookie")
            .and_then(|v| v.as_str().ok())
            .unwrap_or("");
        let form: &[u8] = match route {
            // A body longer than picoserve's buffer is refused (413).
            Route::Login => body.read_all().await?,
            _ => &[],
        };
        let mut iv = [0u8; 16];
        (state.fill_iv)(&mut iv);
        let req = app::Request {
            route,
            cookie,
            body: core::str::from_utf8(form).unwrap_or(""),
            now: (state.clock)(),
            iv,
            secure: state.secure,
        };
        let mut answer = Answer {
            res: app::Response {
                status: 500,
                location: None,
                set_cookie_len: 0,
                body_len: 0,
                html: false,
            },
            set_cookie: [0; SET_COOKIE_LEN],
            page: [0; PAGE_LEN],
        };
        let mut work = [0u8; WORK_LEN];
        answer.res = app::respond(
            &state.codec,
            &req,
            &mut answer.set_cookie,
            &mut answer.page,
            &mut work,
        );
        // The work space held plaintext.
        work.fill(0);
        Ok(answer)
    }
}

/// The page, with its content type.
struct Page<'a> {
    bytes: &'a [u8],
    html: bool,
}

impl Content for Page<'_> {
    fn content_type(&self) -> &'static str {
        if self.html {
            "text/html; charset=utf-8"
        } else {
            "text/plain; charset=utf-8"
        }
    }

    fn content_length(&self) -> usize {
        self.bytes.len()
    }

    async fn write_content<W: picoserve::io::Write>(self, mut writer: W) -> Result<(), W::Error> {
        writer.write_all(self.bytes).await
    }
}

impl<const ROUTE: u8> IntoResponse for Answer<ROUTE> {
    async fn write_to<R: Read, W: ResponseWriter<Error = R::Error>>(
        self,
        connection: Connection<'_, R>,
        writer: W,
    ) -> Result<ResponseSent, W::Error> {
        let res = self.res;
        let set_cookie = core::str::from_utf8(&self.set_cookie[..res.set_cookie_len])
            .ok()
            .filter(|line| !line.is_empty());
        let headers = [
            res.location.map(|l| ("Location", l)),
            set_cookie.map(|line| ("Set-Cookie", line)),
        ];
        let page = Page {
            bytes: &self.page[..res.body_len],
            html: res.html,
        };
        let response = Response::new(StatusCode::new(res.status), page).with_headers(headers);
        writer.write_response(connection, response).await
    }
}
