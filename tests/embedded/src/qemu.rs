//! The firmware around [`run`](crate::run) for QEMU's mps2-an386: reset and
//! vector table from cortex-m-rt (which paints the whole stack with
//! `0xCCCC_CCCC` at reset, feature `paint-stack`), the verdict and the peak
//! stack through semihosting, QEMU's exit status from the verdict.
//!
//! Peak stack: after `run` returns, the lowest word of the stack that is
//! no longer paint is as deep as the program ever went. From it up to this
//! function's frame is `run` with the codec under it; less the buffers
//! `run` keeps ([`BUFFERS`]), that is the codec's own stack.

use core::fmt::Write;

use cortex_m_rt::{STACK_PAINT_VALUE, entry};
use cortex_m_semihosting::{debug, hio};

use crate::{BUFFERS, Step, run};

unsafe extern "C" {
    /// Bottom of the stack (it grows down to here): cortex-m-rt's linker
    /// script.
    static _stack_end: u32;
    /// Top of the stack (where it starts): cortex-m-rt's linker script.
    static _stack_start: u32;
}

#[entry]
fn main() -> ! {
    let here = 0u32;
    // The stack pointer at the call, near enough: a local of this frame.
    let base = core::ptr::addr_of!(here) as usize;
    let step = run();
    let lowest = lowest_touched();
    let mut out = hio::hstdout().ok();
    if let Some(out) = out.as_mut() {
        let total = base.saturating_sub(lowest);
        let _ = writeln!(
            out,
            "securecookie on mps2-an386 (Cortex-M4): {}\npeak stack: {} bytes under main, of which {} the program's buffers, {} the codec's",
            verdict(step),
            total,
            BUFFERS,
            total.saturating_sub(BUFFERS),
        );
    }
    debug::exit(if step == Step::Ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        core::hint::spin_loop();
    }
}

fn verdict(step: Step) -> &'static str {
    match step {
        Step::Ok => "ok (encode, find in Cookie header, decode, tampered cookie refused)",
        Step::Keys => "FAILED: keys refused",
        Step::Payload => "FAILED: kv payload",
        Step::Encode => "FAILED: encode",
        Step::Header => "FAILED: cookie not found in the header",
        Step::Decode => "FAILED: decode of the genuine cookie",
        Step::Payload2 => "FAILED: decoded to another payload",
        Step::Tampered => "FAILED: tampered cookie not refused as forged",
    }
}

/// The lowest stack address whose paint is gone.
fn lowest_touched() -> usize {
    let bottom = core::ptr::addr_of!(_stack_end) as usize;
    let top = core::ptr::addr_of!(_stack_start) as usize;
    let mut at = bottom;
    while at < top {
        // SAFETY: `at` is a word-aligned address inside the stack region the
        // linker script reserved ([_stack_end, _stack_start)), which is RAM;
        // a volatile read of it has no side effect.
        let word = unsafe { core::ptr::read_volatile(at as *const u32) };
        if word != STACK_PAINT_VALUE {
            break;
        }
        at += 4;
    }
    at
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    if let Ok(mut out) = hio::hstdout() {
        let _ = out.write_all(b"securecookie on mps2-an386: FAILED: panic\n");
    }
    debug::exit(debug::EXIT_FAILURE);
    loop {
        core::hint::spin_loop();
    }
}
