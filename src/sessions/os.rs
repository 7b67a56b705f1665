//! (std) IVs from OS randomness, drawn in bulk.
//!
//! One `getrandom` call costs more than a whole cookie, so each thread draws
//! 512 bytes at a time and hands them out in 16-byte pieces, each piece once
//! (it is zeroed as it leaves the pool). A forked child would inherit the
//! parent's pool and repeat its IVs, so the pool is thrown away in a child:
//! a `pthread_atfork` counter (forkguard) tells, without the `getpid()`
//! system call per IV that comparing process ids would cost (65 ns here);
//! where the handler cannot be registered, the process id is compared.

use std::cell::RefCell;

use crate::codec::iv::Iv;
use crate::error::Error;

const POOL: usize = 512;

struct Pool {
    bytes: [u8; POOL],
    /// Bytes before `next` have been handed out (and zeroed).
    next: usize,
    /// How a fork since the last fill is seen.
    fork: ForkCheck,
}

enum ForkCheck {
    /// Never filled.
    Unfilled,
    /// The `pthread_atfork` counter when the pool was filled.
    Counter(forkguard::Guard),
    /// The process id the pool was filled in (no fork handler).
    Pid(u32),
}

impl ForkCheck {
    /// The check for a pool filled now.
    fn now() -> Self {
        match forkguard::Guard::try_new() {
            Ok(guard) => ForkCheck::Counter(guard),
            Err(_) => ForkCheck::Pid(std::process::id()),
        }
    }

    /// True when the pool was never filled, or filled in another process.
    fn stale(&mut self) -> bool {
        match self {
            ForkCheck::Unfilled => true,
            ForkCheck::Counter(guard) => guard.detected_fork(),
            ForkCheck::Pid(pid) => *pid != std::process::id(),
        }
    }
}

std::thread_local! {
    static IVS: RefCell<Pool> = const {
        RefCell::new(Pool { bytes: [0; POOL], next: POOL, fork: ForkCheck::Unfilled })
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
        let pool = &mut *pool.borrow_mut();
        // Both checked every time: a fork leaves a pool of any fill.
        if needs_refill(pool.fork.stale(), pool.next) {
            getrandom::fill(&mut pool.bytes).map_err(|_| Error::Random)?;
            pool.next = 0;
            pool.fork = ForkCheck::now();
        }
        let at = pool.next;
        let mut out = [0u8; 16];
        out.copy_from_slice(&pool.bytes[at..at + 16]);
        pool.bytes[at..at + 16].fill(0);
        pool.next = at + 16;
        Ok(Iv::from_random_bytes(out))
    })
}

/// Whether the pool must be filled before an IV leaves it: filled in
/// another process (or never), or every piece handed out.
fn needs_refill(stale: bool, next: usize) -> bool {
    stale || next == POOL
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
    use super::ForkCheck;

    #[test]
    fn an_unfilled_pool_is_stale_and_a_filled_one_is_not() {
        assert!(ForkCheck::Unfilled.stale());
        let mut filled = ForkCheck::now();
        assert!(!filled.stale());
        // Another process's pool (the fallback without a fork handler).
        assert!(ForkCheck::Pid(std::process::id().wrapping_add(1)).stale());
        assert!(!ForkCheck::Pid(std::process::id()).stale());
    }

    #[test]
    fn the_pool_is_filled_when_stale_or_used_up_only() {
        use super::{POOL, needs_refill};
        assert!(needs_refill(true, 0), "a fork: refilled, however full");
        assert!(needs_refill(true, 16));
        assert!(needs_refill(false, POOL), "every piece handed out");
        assert!(!needs_refill(false, 0));
        assert!(!needs_refill(false, POOL - 16), "one piece left");
    }

    #[test]
    fn ivs_differ_across_pool_refills() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..100 {
            assert!(seen.insert(super::iv().unwrap().into_bytes()));
        }
    }
}
