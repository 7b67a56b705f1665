//! The core as a WebAssembly module, driven from JavaScript without
//! wasm-bindgen and without `unsafe`.
//!
//! Data goes in and out through one exchange buffer: a `static` array of
//! `AtomicU8`, whose address JS gets from [`buffer`] and then reads and
//! writes as a `Uint8Array` over the module's memory. Atomics make a shared
//! `static` mutable from safe code; on wasm32 a relaxed load or store is a
//! plain byte access.
//!
//! The keys are fixed (AES-256 + HMAC-SHA256, [`HASH_KEY`] and
//! [`BLOCK_KEY`]): tests/wasm_node.rs uses the same ones natively.
#![no_std]
// Not `forbid`: the exported functions need `#[unsafe(no_mangle)]` (the
// names JS calls), which the `unsafe_code` lint counts. They sit in
// `exports`, the one place that allows it; there is no `unsafe` block.
#![deny(unsafe_code)]

use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
use securecookie::{Codec, Iv, Keys};

/// The hash key shared with the native side of the test.
pub const HASH_KEY: [u8; 32] = [0x11; 32];
/// The block key shared with the native side of the test.
pub const BLOCK_KEY: [u8; 32] = [0x22; 32];

const BUF_LEN: usize = 8192;
#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU8 = AtomicU8::new(0);
static BUF: [AtomicU8; BUF_LEN] = [ZERO; BUF_LEN];

fn load(at: usize, dst: &mut [u8]) {
    for (d, s) in dst.iter_mut().zip(&BUF[at..]) {
        *d = s.load(Relaxed);
    }
}

fn store(src: &[u8]) {
    for (d, &s) in BUF.iter().zip(src) {
        d.store(s, Relaxed);
    }
}

fn codec(gorilla: u32) -> Codec {
    // Cannot fail: the keys have valid lengths.
    let Ok(keys) = Keys::new(&HASH_KEY, Some(&BLOCK_KEY)) else {
        unreachable!()
    };
    if gorilla != 0 {
        Codec::gorilla(keys)
    } else {
        Codec::new(keys)
    }
}

/// Reads `name`, the input and (for encode) 16 IV bytes from the buffer:
/// `name || input || iv`. `None` when the lengths do not fit.
fn inputs(
    name_len: usize,
    input_len: usize,
    extra: usize,
    tmp: &mut [u8; BUF_LEN],
) -> Option<(&str, &[u8], &[u8])> {
    let total = name_len.checked_add(input_len)?.checked_add(extra)?;
    if total > BUF_LEN {
        return None;
    }
    load(0, &mut tmp[..total]);
    let (name, rest) = tmp[..total].split_at(name_len);
    let (input, extra) = rest.split_at(input_len);
    Some((core::str::from_utf8(name).ok()?, input, extra))
}

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

    /// Encodes: the buffer holds `name || payload || iv(16)`; on success the
    /// cookie is written at the start of the buffer and its length returned.
    /// Negative on failure.
    #[unsafe(no_mangle)]
    pub extern "C" fn encode(name_len: usize, payload_len: usize, now: u64, gorilla: u32) -> i32 {
        let mut tmp = [0u8; BUF_LEN];
        let Some((name, payload, iv)) = inputs(name_len, payload_len, 16, &mut tmp) else {
            return -1;
        };
        let mut iv_bytes = [0u8; 16];
        iv_bytes.copy_from_slice(iv);
        let mut out = [0u8; BUF_LEN];
        match codec(gorilla).encode(
            name,
            payload,
            now,
            Iv::from_random_bytes(iv_bytes),
            &mut out,
        ) {
            Ok(cookie) => {
                store(cookie.as_bytes());
                cookie.len() as i32
            }
            Err(_) => -2,
        }
    }

    /// Decodes: the buffer holds `name || cookie`; on success the payload is
    /// written at the start of the buffer and its length returned. Negative on
    /// failure: -1 bad lengths, -2 any decode error.
    #[unsafe(no_mangle)]
    pub extern "C" fn decode(name_len: usize, cookie_len: usize, now: u64, gorilla: u32) -> i32 {
        let mut tmp = [0u8; BUF_LEN];
        let Some((name, cookie, _)) = inputs(name_len, cookie_len, 0, &mut tmp) else {
            return -1;
        };
        let mut buf = [0u8; BUF_LEN];
        match codec(gorilla).decode(name, cookie, now, &mut buf) {
            Ok(d) => {
                store(d.payload);
                d.payload.len() as i32
            }
            Err(_) => -2,
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // A trap: JS gets a `RuntimeError` instead of a hung module.
    core::arch::wasm32::unreachable()
}
