//! The core encodes and decodes without touching the heap: a counting global
//! allocator sees zero allocations during encode + decode in both formats,
//! signed-only and encrypted, through a rotation list, and while reading the
//! header and the kv payload.
//!
//! This file is its own test binary so that the allocator it installs
//! counts nothing but this test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use securecookie::{Codec, Codecs, Format, Iv, Keys, header, kv};

/// Forwards to the system allocator, counting the calls made by the
/// thread that has switched counting on (the test harness allocates on
/// other threads meanwhile).
struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: thread-locals may be gone while a thread shuts down.
    let _ = ON.try_with(|on| {
        if on.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments,
// untouched; counting only reads and writes const-initialised thread-locals,
// which never allocate. Implementing `GlobalAlloc` is the only way to see
// allocations, and it is `unsafe` by definition: this is the one unsafe
// block of the project, in a test.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns how many allocations it made on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    COUNT.with(|c| c.set(0));
    ON.with(|on| on.set(true));
    f();
    ON.with(|on| on.set(false));
    COUNT.with(|c| c.get())
}

#[test]
fn the_counter_counts() {
    // The instrument works: a Vec is seen.
    let n = allocations(|| drop(std::hint::black_box(vec![1u8; 10])));
    assert_eq!(n, 1);
}

#[test]
fn encode_and_decode_allocate_nothing() {
    let blocks: [Option<&[u8]>; 2] = [None, Some(&[9; 32])];
    let mut checked = 0;
    for format in [Format::Compact, Format::Gorilla] {
        for block in blocks {
            // Built outside the count: building a codec does not allocate
            // either, but the test is about the per-cookie path.
            let old = Codec::with_format(Keys::new(&[1; 32], block).unwrap(), format);
            let new = Codec::with_format(Keys::new(&[7; 32], block).unwrap(), format);
            let list = [new, old];
            let n = allocations(|| {
                let mut pbuf = [0u8; 64];
                let mut w = kv::KvWriter::new(&mut pbuf);
                w.push("lang", b"en").unwrap();
                w.push("user-id", b"a1b2c3").unwrap();
                let payload = w.finish();

                let now = 1_800_000_000;
                let mut out = [0u8; 256];
                let iv = Iv::from_random_bytes([3; 16]);
                let cookie = list[1]
                    .encode("session", payload, now, iv, &mut out)
                    .unwrap();

                let mut header_buf = [0u8; 320];
                let h = {
                    let prefix = b"theme=dark; session=";
                    header_buf[..prefix.len()].copy_from_slice(prefix);
                    header_buf[prefix.len()..prefix.len() + cookie.len()]
                        .copy_from_slice(cookie.as_bytes());
                    core::str::from_utf8(&header_buf[..prefix.len() + cookie.len()]).unwrap()
                };
                let value = header::find(h, "session").unwrap();

                let mut buf = [0u8; 256];
                let d = list[1].decode("session", value, now + 1, &mut buf).unwrap();
                assert_eq!(d.payload, payload);
                let d = Codecs::new(&list)
                    .unwrap()
                    .decode("session", value, now + 1, &mut buf)
                    .unwrap();
                assert_eq!((d.payload, d.index), (payload, 1));
                assert_eq!(kv::get(d.payload, "user-id"), Ok(Some(&b"a1b2c3"[..])));
                assert_eq!(kv::validate(d.payload), Ok(2));

                // Failures allocate nothing either.
                let mut bad = [0u8; 256];
                bad[..cookie.len()].copy_from_slice(cookie.as_bytes());
                bad[cookie.len() / 2] ^= 1;
                assert!(
                    list[1]
                        .decode("session", &bad[..cookie.len()], now, &mut buf)
                        .is_err()
                );
            });
            assert_eq!(n, 0, "{format:?}, encrypted: {}", block.is_some());
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
}
