//! (std) IVs from OS randomness, drawn in bulk.
//!
//! One `getrandom` call costs more than a whole cookie, so each thread draws
//! 512 bytes at a time and hands them out in 16-byte pieces, each piece once
//! (it is zeroed as it leaves the pool). A forked child would inherit the
//! parent's pool and repeat its IVs, so the pool remembers the process id it
//! was filled in and is thrown away when that changes.

use std::cell::RefCell;

use crate::codec::iv::Iv;
use crate::error::Error;

const POOL: usize = 512;

struct Pool {
    bytes: [u8; POOL],
    /// Bytes before `next` have been handed out (and zeroed).
    next: usize,
    pid: u32,
}

std::thread_local! {
    static IVS: RefCell<Pool> = const {
        RefCell::new(Pool { bytes: [0; POOL], next: POOL, pid: 0 })
    };
}

// Here, not in `codec/iv.rs`: the no_std core knows nothing of `std`.
impl Iv {
    /// Draws a fresh IV from the operating system's randomness (`std`:
    /// from a per-thread pool filled by `getrandom`, see `sessions/os.rs`).
    ///
    /// # Errors
    /// [`Error::Random`] when the OS has no randomness to give (a sandbox
    /// without `getrandom`).
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn random() -> Result<Self, Error> {
        iv()
    }
}

/// A fresh IV: 16 bytes of OS randomness never handed out before.
pub(crate) fn iv() -> Result<Iv, Error> {
    IVS.with(|pool| {
        let mut pool = pool.borrow_mut();
        let pid = std::process::id();
        if needs_refill(pool.next, pool.pid, pid) {
            getrandom::fill(&mut pool.bytes).map_err(|_| Error::Random)?;
            pool.next = 0;
            pool.pid = pid;
        }
        let at = pool.next;
        let mut out = [0u8; 16];
        out.copy_from_slice(&pool.bytes[at..at + 16]);
        pool.bytes[at..at + 16].fill(0);
        pool.next = at + 16;
        Ok(Iv::from_random_bytes(out))
    })
}

/// The pool is drawn again when it is used up, or when it was filled in
/// another process (a forked child must not repeat its parent's IVs).
fn needs_refill(next: usize, filled_in: u32, pid: u32) -> bool {
    next == POOL || filled_in != pid
}

/// The current Unix time in seconds (0 before 1970, which no real clock says).
pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Fresh random key material from the operating system, as Go's
/// `securecookie.GenerateRandomKey`: `N = 32` for a hash key or an AES-256
/// block key.
///
/// ```
/// use securecookie::{Keys, random_key};
/// let keys = Keys::new(&random_key::<32>()?, Some(&random_key::<32>()?))?;
/// # let _ = keys;
/// # Ok::<(), securecookie::Error>(())
/// ```
///
/// # Errors
/// [`Error::Random`].
pub fn random_key<const N: usize>() -> Result<[u8; N], Error> {
    let mut key = [0u8; N];
    getrandom::fill(&mut key).map_err(|_| Error::Random)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::{POOL, needs_refill};

    #[test]
    fn the_pool_is_drawn_again_when_used_up_or_forked() {
        assert!(!needs_refill(0, 7, 7));
        assert!(!needs_refill(POOL - 16, 7, 7));
        assert!(needs_refill(POOL, 7, 7));
        // The first IV of a thread (pid 0: never filled).
        assert!(needs_refill(POOL, 0, 7));
        // A forked child, however full its inherited pool.
        assert!(needs_refill(16, 7, 8));
    }

    #[test]
    fn ivs_differ_across_pool_refills() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100 {
            assert!(seen.insert(super::iv().unwrap().into_bytes()));
        }
    }
}
