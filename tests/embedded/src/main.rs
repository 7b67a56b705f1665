//! The no_std proof: a bare-metal program for `thumbv7em-none-eabihf`
//! (Cortex-M4F) that encodes a session into a fixed buffer, finds it again
//! in a `Cookie` header, decodes it, checks the payload and checks that a
//! tampered copy is refused. No `std`, no allocator.
//!
//! Two builds of the same [`run`]:
//! - plain (what `sizes.sh` measures): no runtime crate, only a `_start`
//!   that keeps `run` alive, so the flash figure is the codec's alone;
//! - `--features qemu` (what `qemu.sh` runs on QEMU's mps2-an386): a real
//!   firmware image with cortex-m-rt's vector table and reset, the stack
//!   painted at reset, the result and the peak stack printed through
//!   semihosting, and QEMU's exit status set from the result.
//!
//! Features pick the variant and pass on to `securecookie`'s own, so the
//! program links what a firmware with those features links: `compact` or
//! `gorilla` (the format), `aes256` (encrypted; signed-only without it),
//! `everything` (every format and AES size linked, as with `std`), `floor`
//! (the primitives alone, src/floor.rs, to measure against).
#![no_std]
#![no_main]

#[cfg(not(feature = "qemu"))]
use core::hint::black_box;

#[cfg(not(feature = "floor"))]
mod codec;
#[cfg(feature = "floor")]
mod floor;
#[cfg(feature = "qemu")]
mod qemu;

#[cfg(not(feature = "floor"))]
pub use codec::run;
#[cfg(feature = "floor")]
pub use floor::run;

pub(crate) const HASH_KEY: [u8; 32] = [7; 32];
pub(crate) const BLOCK_KEY: [u8; 32] = [9; 32];

/// The buffers [`run`] keeps on its stack: payload, cookie, header, decode.
/// The peak stack beyond them is the codec's own.
pub const BUFFERS: usize = PAYLOAD_BUF + COOKIE_BUF + HEADER_BUF + DECODE_BUF;
pub(crate) const PAYLOAD_BUF: usize = 32;
pub(crate) const COOKIE_BUF: usize = 160;
pub(crate) const HEADER_BUF: usize = 200;
pub(crate) const DECODE_BUF: usize = 128;

/// What [`run`] found wrong: the step that failed (0 is success).
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Step {
    /// Everything checked out.
    Ok = 0,
    /// `Keys::new` refused the keys.
    Keys,
    /// The kv payload did not fit.
    Payload,
    /// `Codec::encode` failed.
    Encode,
    /// The cookie was not found in the `Cookie` header.
    Header,
    /// `Codec::decode` failed on the genuine cookie.
    Decode,
    /// It decoded, but to another payload.
    Payload2,
    /// A cookie with one character changed was not refused as forged.
    Tampered,
}

#[cfg(not(feature = "qemu"))]
/// The entry point the linker looks for (`_start`, its default). The QEMU
/// build uses cortex-m-rt's `#[entry]` instead; this one needs no vector
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

#[cfg(not(feature = "qemu"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
