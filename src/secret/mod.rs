//! One master secret instead of a key pair: HKDF-SHA256 derives the hash
//! key and the block key, and [`Secret`] reads secrets from hex or base64
//! text (and, with `std`, from an environment variable).
//!
//! # The derivation (frozen: other languages reproduce it)
//!
//! Plain HKDF-SHA256 (RFC 5869), with a fixed salt and one label per key:
//!
//! ```text
//! PRK       = HKDF-Extract(salt = "securecookie/v1", IKM = secret)
//! hash key  = HKDF-Expand(PRK, info = "securecookie/v1 hash key",  L = 32)
//! block key = HKDF-Expand(PRK, info = "securecookie/v1 block key", L = 32)
//! ```
//!
//! The block key makes AES-256. The secret must be at least 32 bytes
//! ([`MIN_SECRET_LEN`]); it should be random, not a password: HKDF spreads
//! entropy, it does not stretch it. Python, with the standard library only:
//!
//! ```python
//! import hmac, hashlib
//! def derive(secret: bytes):
//!     prk = hmac.new(b"securecookie/v1", secret, hashlib.sha256).digest()
//!     key = lambda label: hmac.new(prk, label + b"\x01", hashlib.sha256).digest()
//!     return key(b"securecookie/v1 hash key"), key(b"securecookie/v1 block key")
//! ```
//!
//! Go: `hkdf.Key(sha256.New, secret, []byte("securecookie/v1"),
//! "securecookie/v1 hash key", 32)` (Go 1.24's `crypto/hkdf`; or
//! `golang.org/x/crypto/hkdf`), and the same for the block key; then
//! `securecookie.New(hashKey, blockKey)`. `securecookie keygen --go`
//! prints the pair as hex. `tests/secret.rs` pins the derivation with
//! vectors.
//!
//! # Rotation
//!
//! Give a [`CookieStore`](crate::CookieStore) (or a [`Codecs`](crate::Codecs)
//! list) the keys of several secrets, **newest first**: cookies are written
//! with the first and read with any.
//!
//! ```
//! # #[cfg(feature = "std")] {
//! use securecookie::{CookieConfig, CookieStore, Keys, Secret};
//!
//! // SESSION_SECRET="<new> <old>", newest first: write with new, read both.
//! let secrets = Secret::parse_list(
//!     "hex:4242424242424242424242424242424242424242424242424242424242424242 \
//!      base64:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
//! )?;
//! let store: CookieStore<String> =
//!     CookieStore::new(CookieConfig::default(), secrets.iter().map(Secret::keys))?;
//! # let _ = store;
//! # }
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! # Wiped on drop
//!
//! [`Secret`] and [`KeyPair`] overwrite their bytes when dropped, and so do
//! the key schedules inside [`Keys`] (the `zeroize` support of
//! the RustCrypto `aes`, `hmac`, `sha2` and `ctr` crates).

use core::fmt;

use hmac::digest::zeroize::Zeroize;
use hmac::{KeyInit, Mac};

use crate::codec::keys::{HmacSha256, Keys};
use crate::error::Error;

mod text;
#[cfg(feature = "std")]
pub use text::{EnvSecretError, parse_hex_key};
pub use text::{ListError, Secret, SecretError};

/// The shortest master secret accepted: 32 bytes (256 bits).
pub const MIN_SECRET_LEN: usize = 32;

/// The longest secret a [`Secret`] holds: 64 bytes. ([`Keys::derive`] takes
/// longer ones.)
pub const MAX_SECRET_LEN: usize = 64;

/// HKDF's salt for the key derivation.
pub const SALT: &[u8] = b"securecookie/v1";
/// HKDF's `info` label of the hash key.
pub const HASH_KEY_LABEL: &[u8] = b"securecookie/v1 hash key";
/// HKDF's `info` label of the block key.
pub const BLOCK_KEY_LABEL: &[u8] = b"securecookie/v1 block key";

/// HMAC-SHA256 under `key` (any length works for HMAC).
fn keyed(key: &[u8]) -> HmacSha256 {
    match <HmacSha256 as KeyInit>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

/// HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info` into `L`
/// bytes (at most 255 × 32 = 8160, checked at compile time).
///
/// Exposed so that the derivation can be checked against RFC 5869's
/// vectors (`tests/secret.rs`); for keys use [`Keys::derive`]. The caller
/// owns the output: wipe it when it is key material.
///
/// ```
/// let okm: [u8; 42] = securecookie::secret::hkdf_sha256(b"salt", b"input", b"label");
/// # let _ = okm;
/// ```
pub fn hkdf_sha256<const L: usize>(salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; L] {
    const { assert!(L <= 255 * 32, "HKDF-SHA256 gives at most 8160 bytes") };
    let mut extract = keyed(salt);
    extract.update(ikm);
    let mut prk: [u8; 32] = extract.finalize().into_bytes().into();
    let expand = keyed(&prk);
    prk.zeroize();
    let mut okm = [0u8; L];
    let mut t = [0u8; 32];
    for (i, chunk) in okm.chunks_mut(32).enumerate() {
        let mut m = expand.clone();
        if i > 0 {
            m.update(&t);
        }
        m.update(info);
        // i < 255: the compile-time bound above.
        m.update(&[i as u8 + 1]);
        t = m.finalize().into_bytes().into();
        chunk.copy_from_slice(&t[..chunk.len()]);
    }
    t.zeroize();
    okm
}

/// The hash key and block key derived from one secret, as bytes: for
/// another service or language that wants raw keys (Go's
/// `securecookie.New(hashKey, blockKey)`). Wiped on drop; `Debug` shows no
/// bytes.
pub struct KeyPair {
    hash_key: [u8; 32],
    block_key: [u8; 32],
}

impl KeyPair {
    /// Derives the pair from `secret` (see the [module docs](self)).
    ///
    /// # Errors
    /// [`Error::SecretLength`] when `secret` is shorter than
    /// [`MIN_SECRET_LEN`].
    pub fn derive(secret: &[u8]) -> Result<Self, Error> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(Error::SecretLength { len: secret.len() });
        }
        Ok(KeyPair {
            hash_key: hkdf_sha256(SALT, secret, HASH_KEY_LABEL),
            block_key: hkdf_sha256(SALT, secret, BLOCK_KEY_LABEL),
        })
    }

    /// The 32-byte HMAC-SHA256 key.
    pub fn hash_key(&self) -> &[u8; 32] {
        &self.hash_key
    }

    /// The 32-byte AES-256 key.
    pub fn block_key(&self) -> &[u8; 32] {
        &self.block_key
    }

    /// The encrypting [`Keys`] (AES-256-CTR + HMAC-SHA256).
    #[cfg(feature = "aes256")]
    #[cfg_attr(docsrs, doc(cfg(feature = "aes256")))]
    pub fn keys(&self) -> Keys {
        match Keys::new(&self.hash_key, Some(&self.block_key)) {
            Ok(keys) => keys,
            Err(_) => unreachable!("32-byte keys are valid"),
        }
    }
}

impl Drop for KeyPair {
    fn drop(&mut self) {
        self.hash_key.zeroize();
        self.block_key.zeroize();
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyPair { .. }")
    }
}

impl Keys {
    /// Encrypting keys (AES-256-CTR + HMAC-SHA256) derived from one master
    /// secret of at least 32 random bytes, with HKDF-SHA256 and the labels
    /// of the [`secret`](crate::secret) module, so that any service holding
    /// the same secret, in any language, gets the same keys.
    ///
    /// ```
    /// use securecookie::{Codec, Keys};
    ///
    /// let keys = Keys::derive(&[0x42; 32])?;
    /// assert_eq!(keys.aes_bits(), Some(256));
    /// assert_eq!(Keys::derive(&[0x42; 16]).unwrap_err(),
    ///            securecookie::Error::SecretLength { len: 16 });
    /// # Ok::<(), securecookie::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::SecretLength`] when `secret` is shorter than
    /// [`MIN_SECRET_LEN`]; [`Error::AesNotLinked`] in a build without the
    /// `aes256` feature.
    pub fn derive(secret: &[u8]) -> Result<Keys, Error> {
        let pair = KeyPair::derive(secret)?;
        Keys::new(pair.hash_key(), Some(pair.block_key()))
    }
}
