//! The IV: sixteen random bytes, used once.

/// A one-use initialization vector for AES-CTR.
///
/// CTR mode with a repeated IV under one key leaks the XOR of two plaintexts,
/// so this type is built to be spent once: it is neither `Clone` nor `Copy`,
/// encoding takes it by value, and its bytes cannot be read back out.
/// Reusing an IV means keeping the random bytes aside and wrapping them twice,
/// on purpose.
///
/// With the `std` feature, [`Iv::random`] draws it from the operating system;
/// without, the caller supplies bytes from its own hardware or CSPRNG.
///
/// ```
/// use securecookie::Iv;
///
/// # fn hardware_rng_fill(buf: &mut [u8]) { buf.fill(0x42) }
/// let iv = Iv::from_fn(|buf| hardware_rng_fill(buf));
/// // `iv` moves into `Codec::encode`; it cannot be used again.
/// # let _ = iv;
/// ```
///
/// `Debug` never shows the bytes.
pub struct Iv([u8; 16]);

impl Iv {
    /// Wraps 16 bytes that the caller drew from a cryptographically secure
    /// random source, fresh for this cookie.
    pub const fn from_random_bytes(bytes: [u8; 16]) -> Self {
        Iv(bytes)
    }

    /// Lets `fill` write 16 fresh random bytes into a new IV.
    pub fn from_fn(fill: impl FnOnce(&mut [u8; 16])) -> Self {
        let mut bytes = [0u8; 16];
        fill(&mut bytes);
        Iv(bytes)
    }

    pub(crate) fn into_bytes(self) -> [u8; 16] {
        self.0
    }
}

impl core::fmt::Debug for Iv {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Iv(..)")
    }
}
