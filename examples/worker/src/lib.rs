//! A Cloudflare Worker's session code as a bare `wasm32-unknown-unknown`
//! module: no wasm-bindgen, no allocator, no `unsafe` block. worker.mjs (the
//! JavaScript half) routes the request, hands this module the `Cookie`
//! header, the form body, the clock and 16 random bytes, and turns what
//! [`exports::respond`] writes back into a `Response`. The routes, pages and
//! sessions are ../edge-app's, shared with examples/firmware.
//!
//! Data goes in and out through one exchange buffer, a `static` array of
//! `AtomicU8` (on wasm32 a relaxed atomic access is a plain byte access),
//! as in tests/wasm/. The keys, derived once from `SESSION_SECRET` by
//! [`exports::init`], are kept the same way.
// no_std on wasm32; the native build (its tests) has std.
#![cfg_attr(target_arch = "wasm32", no_std)]
// Not `forbid`: the exported functions need `#[unsafe(no_mangle)]` (the
// names JS calls), which the `unsafe_code` lint counts. They sit in
// `exports`, the one place that allows it; there is no `unsafe` block.
#![deny(unsafe_code)]

use securecookie_edge_app as app;

use core::sync::atomic::{AtomicBool, AtomicU8, Ordering::Relaxed};

use app::securecookie::Keys;
use app::securecookie::secret::{KeyPair, Secret};

use app::{Request, Route, SET_COOKIE_LEN, WORK_LEN};

/// The exchange buffer: a request in (`Cookie` header, body, IV), a
/// response out.
pub const BUF_LEN: usize = 24 * 1024;
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU8 = AtomicU8::new(0);
static BUF: [AtomicU8; BUF_LEN] = [ZERO; BUF_LEN];
/// The derived hash key and block key, 32 bytes each.
static KEY_BYTES: [AtomicU8; 64] = [ZERO; 64];
static KEYED: AtomicBool = AtomicBool::new(false);

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

fn keys() -> Option<Keys> {
    if !KEYED.load(Relaxed) {
        return None;
    }
    let mut bytes = [0u8; 64];
    for (d, s) in bytes.iter_mut().zip(&KEY_BYTES) {
        *d = s.load(Relaxed);
    }
    let (hash, block) = bytes.split_at(32);
    let keys = Keys::new(hash, Some(block)).ok();
    bytes.fill(0);
    keys
}

/// The response header [`exports::respond`] writes before the `Location`,
/// `Set-Cookie` and body bytes: status (u16), `Location` length (u8),
/// HTML or not (u8), `Set-Cookie` length (u16), body length (u16), all
/// little-endian.
pub const HEAD_LEN: usize = 8;

/// What JS calls.
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

    /// Reads `SESSION_SECRET` (hex or base64 text, as the native
    /// `Secret::parse`) from the buffer and derives the keys (HKDF-SHA256,
    /// the native `Keys::derive`). Returns 0, or the negative length of an
    /// error message written to the buffer (it never holds the secret).
    #[unsafe(no_mangle)]
    pub extern "C" fn init(secret_len: usize) -> i32 {
        let mut text = [0u8; 256];
        let parsed = match text.get_mut(..secret_len) {
            None => Err("SESSION_SECRET is too long"),
            Some(dst) => {
                load(0, dst);
                core::str::from_utf8(dst)
                    .map_err(|_| "SESSION_SECRET is not text")
                    .and_then(|t| {
                        Secret::parse(t)
                            .map_err(|_| "SESSION_SECRET: not 32 to 64 bytes of hex or base64")
                    })
            }
        };
        text.fill(0);
        match parsed {
            Ok(secret) => {
                let pair: KeyPair = secret.key_pair();
                let halves = pair.hash_key().iter().chain(pair.block_key());
                for (d, &s) in KEY_BYTES.iter().zip(halves) {
                    d.store(s, Relaxed);
                }
                KEYED.store(true, Relaxed);
                0
            }
            Err(message) => {
                store(0, message.as_bytes());
                -(message.len() as i32)
            }
        }
    }

    /// Answers one request. `route`: 0 `GET /`, 1 `POST /login`, 2 `GET
    /// /welcome`, 3 `POST /logout`. The buffer holds `cookie header || body
    /// || 16 random bytes`; the response is written over it
    /// ([`HEAD_LEN`] bytes of header, then `Location`, `Set-Cookie`, body)
    /// and its length returned. Negative: -1 no keys (`init` first), -2
    /// an unknown route or inputs too long for the buffer.
    #[unsafe(no_mangle)]
    pub extern "C" fn respond(
        route: u32,
        cookie_len: usize,
        body_len: usize,
        now: u64,
        secure: u32,
    ) -> i32 {
        let Some(keys) = keys() else { return -1 };
        let route = match route {
            0 => Route::Index,
            1 => Route::Login,
            2 => Route::Welcome,
            3 => Route::Logout,
            _ => return -2,
        };
        let mut input = [0u8; 12 * 1024];
        let Some(total) = cookie_len
            .checked_add(body_len)
            .and_then(|n| n.checked_add(16))
        else {
            return -2;
        };
        let Some(input) = input.get_mut(..total) else {
            return -2;
        };
        load(0, input);
        let (cookie, rest) = input.split_at(cookie_len);
        let (body, iv) = rest.split_at(body_len);
        let mut iv_bytes = [0u8; 16];
        iv_bytes.copy_from_slice(iv);
        let req = Request {
            route,
            // A header or body that is not UTF-8 reads as absent.
            cookie: core::str::from_utf8(cookie).unwrap_or(""),
            body: core::str::from_utf8(body).unwrap_or(""),
            now,
            iv: iv_bytes,
            secure: secure != 0,
        };
        let mut set_cookie = [0u8; SET_COOKIE_LEN];
        let mut page = [0u8; 8 * 1024];
        let mut work = [0u8; WORK_LEN];
        let res = app::respond(
            &app::codec(&keys),
            &req,
            &mut set_cookie,
            &mut page,
            &mut work,
        );
        work.fill(0);
        let location = res.location.unwrap_or("").as_bytes();
        let mut head = [0u8; HEAD_LEN];
        head[..2].copy_from_slice(&res.status.to_le_bytes());
        head[2] = location.len() as u8;
        head[3] = res.html as u8;
        head[4..6].copy_from_slice(&(res.set_cookie_len as u16).to_le_bytes());
        head[6..8].copy_from_slice(&(res.body_len as u16).to_le_bytes());
        let mut at = 0;
        for part in [
            &head[..],
            location,
            &set_cookie[..res.set_cookie_len],
            &page[..res.body_len],
        ] {
            store(at, part);
            at += part.len();
        }
        at as i32
    }
}

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // A trap: the Worker answers 500 instead of hanging.
    core::arch::wasm32::unreachable()
}
