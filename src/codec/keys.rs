//! Key validation and the precomputed key schedules.
//!
//! A [`Keys`] holds the HMAC-SHA256 state already keyed (inner and outer
//! pads hashed) and the expanded AES round keys, so that encoding and
//! decoding clone a ready state instead of deriving it per cookie.

#[cfg(feature = "aes128")]
use aes::Aes128;
#[cfg(feature = "aes192")]
use aes::Aes192;
#[cfg(feature = "aes256")]
use aes::Aes256;
#[cfg(any(feature = "aes128", feature = "aes192", feature = "aes256"))]
use ctr::{
    CtrCore,
    cipher::consts::U16,
    cipher::{
        BlockCipherEncrypt, BlockSizeUser, InnerIvInit, StreamCipher, StreamCipherCoreWrapper,
    },
    flavors::Ctr128BE,
};
use hmac::Hmac;
#[cfg(any(feature = "aes128", feature = "aes192", feature = "aes256"))]
use hmac::KeyInit;
use sha2::Sha256;

use crate::codec::mac::{Mac, MacKey};
use crate::error::Error;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// The shortest hash key [`Keys::new`] accepts: HMAC-SHA256 wants 32 bytes of
/// key to reach its full strength.
pub const MIN_HASH_KEY_LEN: usize = 32;

pub use crate::codec::mac::TAG_LEN;

/// Domain separation prefix of the compact tag input (`"sc1" || pair
/// fingerprint` is absorbed into the compact MAC state here, once per key
/// pair; `envelope::compact` documents the format).
#[cfg(feature = "compact")]
pub(crate) const COMPACT_TAG_CONTEXT: &[u8] = b"sc1";

/// Length of the random IV in front of an encrypted body.
pub const IV_LEN: usize = 16;

/// An expanded AES key of one of the sizes this build links (cargo features
/// `aes128`, `aes192`, `aes256`). With none, no value exists: keys are
/// signed-only and no AES or CTR code is linked.
#[derive(Clone)]
enum BlockCipher {
    #[cfg(feature = "aes128")]
    Aes128(Aes128),
    #[cfg(feature = "aes192")]
    Aes192(Aes192),
    #[cfg(feature = "aes256")]
    Aes256(Aes256),
}

impl BlockCipher {
    /// Expands a block key of a linked size.
    fn new(key: &[u8]) -> Result<Self, Error> {
        #[cfg(feature = "aes128")]
        if let Ok(c) = Aes128::new_from_slice(key) {
            return Ok(BlockCipher::Aes128(c));
        }
        #[cfg(feature = "aes192")]
        if let Ok(c) = Aes192::new_from_slice(key) {
            return Ok(BlockCipher::Aes192(c));
        }
        #[cfg(feature = "aes256")]
        if let Ok(c) = Aes256::new_from_slice(key) {
            return Ok(BlockCipher::Aes256(c));
        }
        Err(match key.len() {
            // A valid length whose AES size this build leaves out.
            len @ (16 | 24 | 32) => Error::AesNotLinked {
                bits: len as u16 * 8,
            },
            len => Error::BlockKeyLength { len },
        })
    }

    fn bits(&self) -> u16 {
        match *self {
            #[cfg(feature = "aes128")]
            BlockCipher::Aes128(_) => 128,
            #[cfg(feature = "aes192")]
            BlockCipher::Aes192(_) => 192,
            #[cfg(feature = "aes256")]
            BlockCipher::Aes256(_) => 256,
        }
    }

    /// AES-CTR over `data`, the counter starting at `iv`.
    #[cfg_attr(
        not(any(feature = "aes128", feature = "aes192", feature = "aes256")),
        allow(unused_variables)
    )]
    fn apply_ctr(&self, iv: &[u8; IV_LEN], data: &mut [u8]) {
        match *self {
            #[cfg(feature = "aes128")]
            BlockCipher::Aes128(ref c) => ctr_apply(c, iv, data),
            #[cfg(feature = "aes192")]
            BlockCipher::Aes192(ref c) => ctr_apply(c, iv, data),
            #[cfg(feature = "aes256")]
            BlockCipher::Aes256(ref c) => ctr_apply(c, iv, data),
        }
    }
}

/// A validated hash key and optional block key, with their key schedules
/// computed once.
///
/// ```
/// use securecookie::Keys;
///
/// let hash_key = [7u8; 32];
/// let block_key = [9u8; 32];
/// let encrypted = Keys::new(&hash_key, Some(&block_key))?; // AES-256 + HMAC
/// let signed = Keys::new(&hash_key, None)?;                // HMAC only
/// assert!(encrypted.is_encrypted() && !signed.is_encrypted());
///
/// // Keys are checked when built, never later.
/// assert!(Keys::new(&[0u8; 16], None).is_err());
/// assert!(Keys::new(&hash_key, Some(&[0u8; 20])).is_err());
/// # Ok::<(), securecookie::Error>(())
/// ```
///
/// `Debug` shows the cipher and the key id, never key bytes.
#[derive(Clone)]
pub struct Keys {
    /// The gorilla MAC's state, keyed.
    #[cfg(feature = "gorilla")]
    mac: MacKey,
    /// The compact tag's state: keyed, with `"sc1" || pair fingerprint`
    /// already absorbed, so that only this exact key pair verifies.
    #[cfg(feature = "compact")]
    compact_mac: MacKey,
    /// Fingerprint of the hash key alone, to spot gorilla codecs that the
    /// MAC cannot tell apart.
    #[cfg(feature = "gorilla")]
    hash_fp: [u8; 8],
    /// Fingerprint of the key pair; its first byte is the key id.
    #[cfg(any(feature = "gorilla", test))]
    pair_fp: [u8; 32],
    cipher: Option<BlockCipher>,
    kid: u8,
}

impl Keys {
    /// Validates and prepares a key pair: a hash key of at least 32 bytes and,
    /// for encrypted cookies, a block key of 16, 24 or 32 bytes (AES-128,
    /// AES-192, AES-256). `None` makes signed-only cookies, readable by
    /// anyone who has them, but not forgeable.
    ///
    /// # Errors
    /// [`Error::HashKeyLength`], [`Error::BlockKeyLength`];
    /// [`Error::AesNotLinked`] for a block key whose AES size this build
    /// leaves out (cargo features `aes128`, `aes192`, `aes256`; `std` has
    /// all three).
    pub fn new(hash_key: &[u8], block_key: Option<&[u8]>) -> Result<Self, Error> {
        if hash_key.len() < MIN_HASH_KEY_LEN {
            return Err(Error::HashKeyLength {
                len: hash_key.len(),
            });
        }
        Self::build(hash_key, block_key)
    }

    /// Like [`new`](Self::new) but accepts any non-empty hash key, as Go's
    /// gorilla/securecookie does. Only for reading and writing cookies of an
    /// existing Go deployment whose keys are short: plan to rotate to a
    /// 32-byte key.
    ///
    /// # Errors
    /// [`Error::HashKeyLength`] for an empty key, [`Error::BlockKeyLength`],
    /// [`Error::AesNotLinked`].
    pub fn legacy(hash_key: &[u8], block_key: Option<&[u8]>) -> Result<Self, Error> {
        if hash_key.is_empty() {
            return Err(Error::HashKeyLength { len: 0 });
        }
        Self::build(hash_key, block_key)
    }

    fn build(hash_key: &[u8], block_key: Option<&[u8]>) -> Result<Self, Error> {
        let cipher = match block_key {
            None => None,
            Some(k) => Some(BlockCipher::new(k)?),
        };
        let mac = MacKey::new(hash_key);
        let pair_fp = pair_fingerprint(&mac, block_key);
        #[cfg(feature = "compact")]
        let compact_mac = {
            #[cfg(feature = "gorilla")]
            let mut m = mac.clone();
            // Nothing else needs the keyed state: moved, not copied (and
            // wiped) again.
            #[cfg(not(feature = "gorilla"))]
            let mut m = mac;
            m.absorb(COMPACT_TAG_CONTEXT);
            m.absorb(&pair_fp);
            m
        };
        #[cfg(feature = "gorilla")]
        let hash_fp = {
            let mut m = Mac::keyed(&mac);
            m.update(b"securecookie hash key id v1");
            let mut fp = [0u8; 8];
            fp.copy_from_slice(&m.finalize()[..8]);
            fp
        };
        Ok(Keys {
            #[cfg(feature = "gorilla")]
            mac,
            #[cfg(feature = "compact")]
            compact_mac,
            #[cfg(feature = "gorilla")]
            hash_fp,
            cipher,
            kid: pair_fp[0],
            #[cfg(any(feature = "gorilla", test))]
            pair_fp,
        })
    }

    /// True when cookies are encrypted, not only signed.
    pub fn is_encrypted(&self) -> bool {
        self.cipher.is_some()
    }

    /// The AES key size in bits (128, 192 or 256), or `None` for signed-only.
    pub fn aes_bits(&self) -> Option<u16> {
        self.cipher.as_ref().map(BlockCipher::bits)
    }

    /// The one-byte key id written into compact cookies: a fingerprint of
    /// the key pair (the first byte of an HMAC under the hash key), so that a
    /// decoder holding several keys tries the right one first. It says
    /// nothing useful about the keys themselves.
    pub fn key_id(&self) -> u8 {
        self.kid
    }

    /// A fresh MAC state keyed with the hash key (a clone, not a re-derive).
    #[inline]
    #[cfg(feature = "gorilla")]
    pub(crate) fn mac(&self) -> Mac<'_> {
        Mac::keyed(&self.mac)
    }

    /// The compact tag's state, its key-pair prefix already absorbed.
    #[cfg(feature = "compact")]
    #[inline]
    pub(crate) fn compact_mac(&self) -> Mac<'_> {
        Mac::keyed(&self.compact_mac)
    }

    /// The key pair's fingerprint (in the compact tag input).
    #[cfg(all(test, feature = "compact"))]
    pub(crate) fn pair_fingerprint(&self) -> &[u8; 32] {
        &self.pair_fp
    }

    /// Whether both pairs have the same hash key but not the same block key
    /// (or one has none): gorilla cookies of one then verify under the other.
    #[cfg(feature = "gorilla")]
    fn same_hash_other_block(&self, other: &Keys) -> bool {
        self.hash_fp == other.hash_fp && self.pair_fp != other.pair_fp
    }

    /// Applies AES-CTR with `iv` as the initial 128-bit big-endian counter
    /// (as Go's `cipher.NewCTR` does). CTR is its own inverse: this both
    /// encrypts and decrypts. A signed-only key pair leaves `data` alone.
    #[inline]
    pub(crate) fn apply_ctr(&self, iv: [u8; IV_LEN], data: &mut [u8]) {
        if let Some(c) = &self.cipher {
            c.apply_ctr(&iv, data);
        }
    }
}

/// CTR over a borrowed key schedule: nothing is cloned or re-expanded.
#[cfg(any(feature = "aes128", feature = "aes192", feature = "aes256"))]
#[inline]
fn ctr_apply<C>(cipher: &C, iv: &[u8; IV_LEN], data: &mut [u8])
where
    C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16>,
{
    let core = CtrCore::<&C, Ctr128BE>::inner_iv_init(cipher, iv.into());
    StreamCipherCoreWrapper::from_core(core).apply_keystream(data);
}

/// [`Error::AmbiguousKeys`] when two of `keys` share a hash key but not a
/// block key, so that the gorilla MAC cannot tell their cookies apart.
/// Lists are short (a few keys): the quadratic scan costs nothing.
#[cfg(feature = "gorilla")]
pub(crate) fn check_distinguishable<'k>(
    keys: impl Iterator<Item = &'k Keys> + Clone,
) -> Result<(), Error> {
    for (i, a) in keys.clone().enumerate() {
        if keys.clone().skip(i + 1).any(|b| a.same_hash_other_block(b)) {
            return Err(Error::AmbiguousKeys);
        }
    }
    Ok(())
}

/// Domain-separated fingerprint of the key pair. Frozen: its first byte is
/// the compact key id and all of it is in the compact tag input.
fn pair_fingerprint(mac: &MacKey, block_key: Option<&[u8]>) -> [u8; 32] {
    let mut m = Mac::keyed(mac);
    m.update(b"securecookie key id v1");
    match block_key {
        None => m.update(&[0]),
        Some(k) => {
            m.update(&[1]);
            m.update(k);
        }
    }
    m.finalize()
}

impl core::fmt::Debug for Keys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let cipher = match self.aes_bits() {
            None => "none (signed only)",
            Some(128) => "AES-128-CTR",
            Some(192) => "AES-192-CTR",
            Some(_) => "AES-256-CTR",
        };
        f.debug_struct("Keys")
            .field("mac", &"HMAC-SHA256")
            .field("cipher", &cipher)
            .field("key_id", &self.kid)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lengths() {
        let h = [1u8; 64];
        assert_eq!(
            Keys::new(&h[..31], None).unwrap_err(),
            Error::HashKeyLength { len: 31 }
        );
        assert!(Keys::new(&h[..32], None).is_ok());
        for len in [0, 1, 15, 17, 23, 25, 31, 33, 64] {
            assert_eq!(
                Keys::new(&h, Some(&h[..len])).unwrap_err(),
                Error::BlockKeyLength { len }
            );
        }
        let linked = [
            cfg!(feature = "aes128"),
            cfg!(feature = "aes192"),
            cfg!(feature = "aes256"),
        ];
        for ((len, bits), linked) in [(16, 128), (24, 192), (32, 256)].into_iter().zip(linked) {
            let keys = Keys::new(&h, Some(&h[..len])).map(|k| k.aes_bits());
            if linked {
                assert_eq!(keys, Ok(Some(bits)));
            } else {
                assert_eq!(keys.unwrap_err(), Error::AesNotLinked { bits });
            }
        }
        assert!(Keys::legacy(&h[..8], None).is_ok());
        assert_eq!(
            Keys::legacy(&[], None).unwrap_err(),
            Error::HashKeyLength { len: 0 }
        );
    }

    #[cfg(feature = "aes128")]
    #[test]
    fn key_id_depends_on_both_keys() {
        let a = Keys::new(&[1; 32], None).unwrap().key_id();
        let b = Keys::new(&[1; 32], Some(&[2; 16])).unwrap().key_id();
        let c = Keys::new(&[1; 32], Some(&[3; 16])).unwrap().key_id();
        let d = Keys::new(&[4; 32], None).unwrap().key_id();
        // One byte may collide by chance; these four fixed keys do not.
        assert!(a != b && b != c && a != d && c != d);
    }
}
