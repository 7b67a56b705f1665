//! One request's session as the engine keeps it: the entries as the
//! payload holds them, what the request's cookie said, and what the
//! handler asked for. The reserved entries (keys starting with `\0`) live
//! here and in [`flash`](super::flash).

use std::vec::Vec;

use crate::error::Error;
use crate::sessions::session::Session;
use crate::sessions::store::{Loaded, SessionId};
use crate::sessions::value::SessionValue;

use super::config::LayerConfig;
use super::entries::Entries;

/// Keys of the engine's own entries start with this byte; user keys may not.
pub(crate) const RESERVED: char = '\0';
/// When the session was created (decimal Unix seconds): for the absolute
/// lifetime cap.
const CREATED: &str = "\0c";

pub(crate) struct State {
    pub(crate) loaded: bool,
    /// The user's entries, the flash values and the creation time, as the
    /// payload holds them.
    pub(crate) entries: Entries,
    pub(crate) id: Option<SessionId>,
    pub(crate) issued: Option<u64>,
    pub(crate) cookie_len: Option<usize>,
    pub(crate) outdated: bool,
    /// Why the request's cookie was refused (`None` when it loaded or when
    /// there was none).
    pub(crate) rejected: Option<Error>,
    pub(crate) modified: bool,
    pub(crate) renew: bool,
    pub(crate) destroy: bool,
    /// A change that cannot be saved (a reserved key): reported at save.
    pub(crate) pending_error: Option<Error>,
    /// The CSRF secrets of this request (see `engine/csrf.rs`): only with
    /// CSRF on, so that a request without it builds and drops none.
    pub(crate) csrf: Option<crate::sessions::csrf::CsrfState>,
    /// The request's time (Unix seconds), read once when the session
    /// loads: the store's expiry check, the lifetime cap, rolling renewal
    /// and the new cookie's stamp all see the same second, and a read
    /// costs one clock call, not two.
    pub(crate) clock: Option<u64>,
}

impl State {
    pub(crate) fn new() -> Self {
        State {
            loaded: false,
            entries: Entries::new(),
            id: None,
            issued: None,
            cookie_len: None,
            outdated: false,
            rejected: None,
            modified: false,
            renew: false,
            destroy: false,
            pending_error: None,
            csrf: None,
            clock: None,
        }
    }

    /// Takes in what the store loaded (`len`: the cookie value's length)
    /// at `now`, or why it refused the cookie; applies the lifetime cap.
    /// Returns the reason the cookie was refused, if it was.
    pub(crate) fn accept(
        &mut self,
        config: &LayerConfig,
        outcome: Result<(Loaded, usize), Error>,
        now: u64,
    ) -> Option<Error> {
        self.loaded = true;
        self.clock = Some(now);
        let read = outcome.and_then(|(mut loaded, len)| {
            let entries = Entries::from_payload(core::mem::take(&mut loaded.payload))?;
            Ok((loaded, len, entries))
        });
        match read {
            Ok((loaded, len, entries)) => {
                self.entries = entries;
                self.id = loaded.id;
                self.issued = Some(loaded.issued);
                self.cookie_len = Some(config.name.len() + 1 + len);
                self.outdated = loaded.outdated;
                if config.lifetime.is_some()
                    && let Some(created) = self.created()
                    && config.past_lifetime(created, || now)
                {
                    self.entries.clear();
                    self.rejected = Some(Error::LifetimeExceeded);
                    // Whatever is saved next is a new session: a server
                    // store drops the old id (and if nothing is saved, the
                    // engine destroys it).
                    self.renew = true;
                }
            }
            Err(Error::NoCookie) => {}
            Err(e) => self.rejected = Some(e),
        }
        self.rejected
    }

    /// The CSRF secrets (made empty on first use when the load did not
    /// make them).
    pub(crate) fn csrf(&mut self) -> &mut crate::sessions::csrf::CsrfState {
        self.csrf.get_or_insert_with(Default::default)
    }

    pub(crate) fn created(&self) -> Option<u64> {
        self.entries
            .get(CREATED)
            .and_then(|b| u64::from_bytes(b).ok())
    }

    /// Applies `f`; the session is modified when it says it changed.
    pub(crate) fn change(&mut self, f: impl FnOnce(&mut Session<Vec<u8>>) -> bool) {
        if f(self.entries.map()) {
            self.modified = true;
        }
    }

    /// Removes every entry and flash value, keeping the creation time.
    /// True when something was removed.
    pub(crate) fn clear_entries(entries: &mut Session<Vec<u8>>) -> bool {
        let before = entries.len();
        let created = entries.remove(CREATED);
        let changed = before > usize::from(created.is_some());
        entries.clear();
        if let Some(created) = created {
            entries.set(CREATED, created);
        }
        changed
    }

    /// True when the session holds nothing of the user's (no entries, no
    /// flash values): there is nothing worth a cookie (a CSRF secret alone
    /// is not).
    pub(crate) fn is_empty(&self) -> bool {
        self.entries
            .iter()
            .all(|(k, _)| k == CREATED || k == crate::sessions::csrf::SESSION_KEY)
    }

    /// The length of [`payload`](Self::payload)'s result, without
    /// stamping: a creation stamp still to come is counted as one of now.
    pub(crate) fn payload_len(&self) -> usize {
        let stamp = match self.created() {
            Some(_) => 0,
            None => crate::codec::kv::entry_len(CREATED.len(), 10),
        };
        let mut out = Vec::with_capacity(self.entries.size_hint());
        // Only an entry past kv's limit fails; save refuses that one.
        let _ = self.entries.write(&mut out, None);
        out.len() + stamp
    }

    /// The payload to save, with the creation time of a new (or renewed)
    /// session stamped in it.
    pub(crate) fn payload(&mut self, now: u64) -> Result<Vec<u8>, Error> {
        let mut digits = [0u8; 20];
        let stamp =
            (self.renew || self.created().is_none()).then(|| (CREATED, decimal(now, &mut digits)));
        // Room for a cookie store to seal the `Set-Cookie` line in place
        // after the payload (base64 and attributes: about 2.3 times the
        // payload plus 180 bytes in compact, 2.8 times plus 250 in
        // gorilla), so that saving reallocates nothing. A server store
        // seals into a buffer of its own and drops this one at once.
        let hint = self.entries.size_hint() + 16;
        let mut out = Vec::with_capacity(3 * hint + 320);
        self.entries.write(&mut out, stamp)?;
        Ok(out)
    }
}

/// `n` in decimal ASCII, as `u64`'s `SessionValue` writes it (without the
/// formatting machinery: this runs on every new session), in `digits`.
fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut at = digits.len();
    loop {
        at -= 1;
        // A remainder below 10: the cast cannot truncate.
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[at..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_is_what_u64_writes() {
        for n in [0, 7, 10, 1_733_300_000, u64::MAX] {
            let mut written = Vec::new();
            n.write_bytes(&mut written);
            assert_eq!(decimal(n, &mut [0; 20]), written, "{n}");
        }
    }
}
