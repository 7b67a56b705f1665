//! HMAC-SHA256 straight on `sha2`'s block function, with the key's inner and
//! outer blocks hashed once per [`Keys`](crate::Keys).
//!
//! Why not `hmac`'s `Hmac<Sha256>` per cookie: each cookie cloned its state
//! (two block buffers and cores, ~300 bytes) and finalized through `digest`'s
//! generic buffering, wiped on drop byte by byte. That was the part of a
//! typical encode or decode that grew since November (issue 20). Here a
//! cookie copies one 32-byte state and its pending bytes, the outer hash is
//! one block built in place, and only the chaining state (the secret part) is
//! wiped. It is also less code: on 32-bit targets (firmware, wasm) the
//! methods stay out of line, one copy each.

use core::slice;

use hmac::digest::zeroize::Zeroize;
use sha2::block_api::compress256;

use crate::error::Error;

/// Length of the MAC appended to every cookie.
pub const TAG_LEN: usize = 32;

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// SHA-256 part way: the chaining state, the bytes of an unfinished block
/// and how many bytes went in (key block included).
#[derive(Clone)]
struct Sha {
    state: [u32; 8],
    buf: [u8; 64],
    len: u64,
}

impl Sha {
    const fn new() -> Self {
        Sha {
            state: H0,
            buf: [0; 64],
            len: 0,
        }
    }

    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    fn update(&mut self, mut data: &[u8]) {
        let pos = (self.len % 64) as usize;
        self.len += data.len() as u64;
        if pos > 0 {
            let take = data.len().min(64 - pos);
            self.buf[pos..pos + take].copy_from_slice(&data[..take]);
            if pos + take < 64 {
                return;
            }
            compress256(&mut self.state, slice::from_ref(&self.buf));
            data = &data[take..];
        }
        let (blocks, tail) = data.as_chunks::<64>();
        if !blocks.is_empty() {
            compress256(&mut self.state, blocks);
        }
        self.buf[..tail.len()].copy_from_slice(tail);
    }

    /// Pads and hashes the last block(s); the state is then the digest.
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    fn pad(&mut self) {
        let pos = (self.len % 64) as usize;
        self.buf[pos] = 0x80;
        self.buf[pos + 1..].fill(0);
        if pos >= 56 {
            compress256(&mut self.state, slice::from_ref(&self.buf));
            self.buf = [0; 64];
        }
        self.buf[56..].copy_from_slice(&(self.len * 8).to_be_bytes());
        compress256(&mut self.state, slice::from_ref(&self.buf));
    }
}

impl Drop for Sha {
    fn drop(&mut self) {
        // The chaining state is what a forger would want; the buffer holds
        // the MACed (public) bytes, except while a long key is hashed, which
        // wipes it itself.
        self.state.zeroize();
    }
}

/// The big-endian bytes of a state.
fn digest(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// A hash key made ready: SHA-256 with `key ^ ipad` (and whatever the owner
/// absorbed since) in, and the state after `key ^ opad`.
#[derive(Clone)]
pub(crate) struct MacKey {
    inner: Sha,
    outer: [u32; 8],
}

impl MacKey {
    /// Hashes the two key blocks (RFC 2104: a key longer than a block is
    /// hashed first).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            let mut sha = Sha::new();
            sha.update(key);
            sha.pad();
            block[..32].copy_from_slice(&digest(&sha.state));
            sha.buf.zeroize();
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let keyed = |pad: u8, block: &[u8; 64]| {
            let mut padded = block.map(|b| b ^ pad);
            let mut state = H0;
            compress256(&mut state, slice::from_ref(&padded));
            padded.zeroize();
            state
        };
        let inner = Sha {
            state: keyed(0x36, &block),
            buf: [0; 64],
            len: 64,
        };
        let outer = keyed(0x5c, &block);
        block.zeroize();
        MacKey { inner, outer }
    }

    /// Absorbs `data` into the prepared state itself (a prefix every MAC
    /// under this key starts with).
    #[cfg(feature = "compact")]
    pub(crate) fn absorb(&mut self, data: &[u8]) {
        self.inner.update(data);
    }
}

impl Drop for MacKey {
    fn drop(&mut self) {
        self.outer.zeroize();
    }
}

/// One MAC computation: a copy of a [`MacKey`]'s inner state.
pub(crate) struct Mac<'k> {
    inner: Sha,
    outer: &'k [u32; 8],
}

impl<'k> Mac<'k> {
    /// A fresh state from a prepared key (a copy, not a re-derive).
    #[inline]
    pub(crate) fn keyed(key: &'k MacKey) -> Self {
        Mac {
            inner: key.inner.clone(),
            outer: &key.outer,
        }
    }

    /// Absorbs `data`.
    #[inline]
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// The tag.
    #[cfg_attr(target_pointer_width = "64", inline)]
    #[cfg_attr(not(target_pointer_width = "64"), inline(never))]
    pub(crate) fn finalize(mut self) -> [u8; TAG_LEN] {
        self.inner.pad();
        // The outer hash: one block, `inner digest || padding || 768 bits`.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&digest(&self.inner.state));
        block[32] = 0x80;
        block[62] = 0x03;
        let mut state = *self.outer;
        compress256(&mut state, slice::from_ref(&block));
        let tag = digest(&state);
        state.zeroize();
        tag
    }

    /// Checks `tag` in constant time (every byte compared, no early exit).
    ///
    /// # Errors
    /// [`Error::MacMismatch`], also for a tag of the wrong length.
    // Always on servers: a call here costs ~30 instructions per cookie, and
    // LLVM's choice flips with unrelated code (counted by callgrind).
    #[cfg_attr(target_pointer_width = "64", inline(always))]
    #[cfg_attr(not(target_pointer_width = "64"), inline)]
    pub(crate) fn verify(self, tag: &[u8]) -> Result<(), Error> {
        let tag = <[u8; TAG_LEN]>::try_from(tag).map_err(|_| Error::MacMismatch)?;
        let want = self.finalize();
        let mut diff = 0u8;
        for (a, b) in want.iter().zip(tag) {
            diff |= a ^ b;
        }
        // Keep the compiler from turning the fold into an early exit.
        if core::hint::black_box(diff) == 0 {
            Ok(())
        } else {
            Err(Error::MacMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{KeyInit, Mac as _};

    type Reference = hmac::Hmac<sha2::Sha256>;

    /// Against the `hmac` crate at every block boundary: key lengths around
    /// a block (longer keys are hashed first), messages split in two
    /// updates at each point.
    #[test]
    fn agrees_with_hmac_crate() {
        let key: [u8; 130] = core::array::from_fn(|i| (i * 31 + 5) as u8);
        let msg: [u8; 200] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        for key_len in [1, 32, 63, 64, 65, 100, 130] {
            let k = MacKey::new(&key[..key_len]);
            for msg_len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200] {
                let mut r = <Reference as KeyInit>::new_from_slice(&key[..key_len]).unwrap();
                r.update(&msg[..msg_len]);
                let want: [u8; 32] = r.finalize().into_bytes().into();
                for split in [0, msg_len / 3, msg_len] {
                    let mut m = Mac::keyed(&k);
                    m.update(&msg[..split]);
                    m.update(&msg[split..msg_len]);
                    assert_eq!(m.finalize(), want, "{key_len} {msg_len} {split}");
                }
            }
        }
    }

    /// A prefix absorbed into the key is the same as one fed per MAC.
    #[test]
    #[cfg(feature = "compact")] // only the compact envelope absorbs a prefix
    fn absorbed_prefix() {
        let mut k = MacKey::new(&[9; 32]);
        let plain = MacKey::new(&[9; 32]);
        k.absorb(b"sc1 and some more bytes");
        let mut m = Mac::keyed(&plain);
        m.update(b"sc1 and some more bytes");
        m.update(b"payload");
        let mut n = Mac::keyed(&k);
        n.update(b"payload");
        assert_eq!(m.finalize(), n.finalize());
    }

    #[test]
    fn verify_checks_every_byte_and_the_length() {
        let k = MacKey::new(&[3; 32]);
        let tag = Mac::keyed(&k).finalize();
        assert_eq!(Mac::keyed(&k).verify(&tag), Ok(()));
        for i in 0..TAG_LEN {
            let mut bad = tag;
            bad[i] ^= 1;
            assert_eq!(Mac::keyed(&k).verify(&bad), Err(Error::MacMismatch));
        }
        assert_eq!(Mac::keyed(&k).verify(&tag[..31]), Err(Error::MacMismatch));
        assert_eq!(Mac::keyed(&k).verify(&[]), Err(Error::MacMismatch));
    }
}
