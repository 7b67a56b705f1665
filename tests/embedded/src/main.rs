//! The no_std proof: a bare-metal program for `thumbv7em-none-eabihf`
//! (Cortex-M4F) that encodes a session into a fixed buffer, reads it back
//! out of a `Cookie` header and checks the payload. No `std`, no allocator,
//! no runtime crate: if this links, the core needs none of them.
//!
//! Build it (from the repo root) and measure it:
//!
//! ```text
//! cargo build --release --target thumbv7em-none-eabihf --manifest-path tests/embedded/Cargo.toml
//! llvm-size tests/embedded/target/thumbv7em-none-eabihf/release/securecookie-embedded
//! ```
//!
//! Features pick the variant: `signed-only` (no AES), `gorilla` (the
//! Go-compatible envelope instead of the compact one).
#![no_std]
#![no_main]

use core::hint::black_box;
use securecookie::{Codec, Iv, Keys, header, kv};

const HASH_KEY: [u8; 32] = [7; 32];
const BLOCK_KEY: [u8; 32] = [9; 32];

/// The entry point the linker looks for (`_start`, its default). A real
/// firmware would use `cortex-m-rt`'s `#[entry]`; this proof needs no vector
/// table or RAM setup, only a symbol that keeps `run` from being discarded.
/// `no_mangle` is the one attribute that needs `unsafe(...)`: it claims a
/// global symbol name, which nothing else in this program uses.
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    // `black_box` keeps the result, and so the whole computation, alive.
    black_box(run());
    loop {
        core::hint::spin_loop();
    }
}

fn codec() -> Option<Codec> {
    // `black_box`: the keys must look like run-time data (from flash or a
    // secure element), or the compiler could precompute everything.
    let hash = black_box(HASH_KEY);
    let block = black_box(BLOCK_KEY);
    let block = if cfg!(feature = "signed-only") {
        None
    } else {
        Some(&block[..])
    };
    let keys = Keys::new(&hash, block).ok()?;
    Some(if cfg!(feature = "gorilla") {
        Codec::gorilla(keys)
    } else {
        Codec::new(keys)
    })
}

fn run() -> bool {
    let Some(codec) = codec() else {
        return false;
    };
    let now: u64 = black_box(1_800_000_000);

    let mut payload = [0u8; 32];
    let mut writer = kv::KvWriter::new(&mut payload);
    if writer.push("user-id", black_box(b"a1b2c3")).is_err() {
        return false;
    }
    let payload = writer.finish();

    let mut out = [0u8; 160];
    // A real device fills the IV from its hardware RNG.
    let iv = Iv::from_fn(|b| *b = black_box([0x5a; 16]));
    let Ok(cookie) = codec.encode("session", payload, now, iv, &mut out) else {
        return false;
    };

    // The request's Cookie header, as the HTTP server hands it over.
    let mut header_buf = [0u8; 200];
    let prefix = b"theme=dark; session=";
    header_buf[..prefix.len()].copy_from_slice(prefix);
    let end = prefix.len() + cookie.len();
    header_buf[prefix.len()..end].copy_from_slice(cookie.as_bytes());
    let Ok(header_text) = core::str::from_utf8(black_box(&header_buf[..end])) else {
        return false;
    };
    let Some(value) = header::find(header_text, "session") else {
        return false;
    };

    let mut buf = [0u8; 128];
    match codec.decode("session", value, now + 5, &mut buf) {
        Ok(d) => kv::get(d.payload, "user-id") == Ok(Some(&b"a1b2c3"[..])),
        Err(_) => false,
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
