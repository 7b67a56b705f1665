//! The HMAC-SHA256 operations of the envelopes, each compiled once.
//!
//! `hmac`'s `update` and `finalize` are generic and inline: called from
//! key setup, both envelopes' encoders and verifiers, each call site gets its
//! own copy of the block buffering and padding code (~18 inlined copies in
//! a compact firmware). On 32-bit targets (firmware, wasm32), where flash
//! counts more than a call, [`Mac`]'s methods stay out of line, so there
//! is one copy of each. On 64-bit targets they inline as before: a server's
//! encode is a few hundred nanoseconds and a call would show.

use hmac::Mac as _;
use hmac::digest::CtOutput;

use crate::codec::keys::{HmacSha256, TAG_LEN};
use crate::error::Error;

/// A keyed HMAC-SHA256 state (a clone of a [`Keys`](crate::Keys) state).
pub(crate) struct Mac(pub(crate) HmacSha256);

impl Mac {
    /// A fresh state from a keyed one (a clone, not a re-derive).
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(crate) fn keyed(state: &HmacSha256) -> Self {
        Mac(state.clone())
    }

    /// Absorbs `data`.
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The tag, in a wrapper whose `==` is constant time.
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    fn tag(self) -> CtOutput<HmacSha256> {
        self.0.finalize()
    }

    /// The tag.
    #[inline]
    pub(crate) fn finalize(self) -> [u8; TAG_LEN] {
        self.tag().into_bytes().into()
    }

    /// Checks `tag` in constant time, as `hmac`'s `verify_slice` does, but
    /// through the one copy of the finalization that [`finalize`] uses.
    ///
    /// # Errors
    /// [`Error::MacMismatch`], also for a tag of the wrong length.
    ///
    /// [`finalize`]: Self::finalize
    #[inline]
    pub(crate) fn verify(self, tag: &[u8]) -> Result<(), Error> {
        let tag = <[u8; TAG_LEN]>::try_from(tag).map_err(|_| Error::MacMismatch)?;
        if self.tag() == CtOutput::new(tag.into()) {
            Ok(())
        } else {
            Err(Error::MacMismatch)
        }
    }
}
