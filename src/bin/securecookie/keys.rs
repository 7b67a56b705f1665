//! Where the keys come from: the command line first, else the environment,
//! with the names the demo server reads. Never a silent fallback: a
//! conflicting or malformed setting is an error that names it.

use clap::Args;
use securecookie::secret::{Secret, SecretError, parse_hex_key};
use securecookie::{Error, Keys};

/// The master secret(s), newest first (hex or base64).
pub const SECRET_VAR: &str = "SESSION_SECRET";
/// A raw hash key (hex), as Go uses.
pub const HASH_VAR: &str = "SESSION_HASH_KEY";
/// A raw block key (hex), as Go uses.
pub const BLOCK_VAR: &str = "SESSION_BLOCK_KEY";
/// The names before version 0.1's `SESSION_*` scheme; still read, with a note.
const OLD_HASH_VAR: &str = "SECURECOOKIE_HASH_KEY";
const OLD_BLOCK_VAR: &str = "SECURECOOKIE_BLOCK_KEY";

#[derive(Args, Debug)]
#[command(
    next_help_heading = "Keys (else $SESSION_SECRET, or $SESSION_HASH_KEY + $SESSION_BLOCK_KEY)"
)]
pub struct KeyArgs {
    /// Master secret, hex or base64 (`securecookie keygen` makes one); for
    /// decode, several separated by commas, newest first
    #[arg(long, value_name = "SECRET", conflicts_with_all = ["hash_key", "block_key"])]
    pub secret: Option<String>,
    /// Raw HMAC key as hex, at least 32 bytes (Go's hashKey)
    #[arg(long, value_name = "HEX")]
    pub hash_key: Option<String>,
    /// Raw AES key as hex, 16, 24 or 32 bytes (Go's blockKey); without it,
    /// cookies are signed, not encrypted
    #[arg(long, value_name = "HEX", requires = "hash_key")]
    pub block_key: Option<String>,
    /// Accept hash keys shorter than 32 bytes (old Go deployments)
    #[arg(long)]
    pub legacy_keys: bool,
}

impl KeyArgs {
    /// The keys, newest first: from the flags, else from the environment
    /// (`var`).
    pub fn resolve(&self, var: impl Fn(&str) -> Option<String>) -> Result<Vec<Keys>, String> {
        let from_flags = self.secret.is_some() || self.hash_key.is_some();
        let (secret, hash, block, source) = if from_flags {
            let (s, h, b) = (
                self.secret.clone(),
                self.hash_key.clone(),
                self.block_key.clone(),
            );
            (s, h, b, Source::Flags)
        } else {
            let env = |new: &str, old: Option<&str>| match (var(new), old.and_then(&var)) {
                (Some(v), Some(_)) => {
                    eprintln!("note: ${} ignored: ${new} is set", old.unwrap_or_default());
                    Some(v)
                }
                (Some(v), None) => Some(v),
                (None, Some(v)) => {
                    eprintln!(
                        "note: ${} is the old name of ${new}; it still works",
                        old.unwrap_or_default()
                    );
                    Some(v)
                }
                (None, None) => None,
            };
            let s = var(SECRET_VAR);
            let h = env(HASH_VAR, Some(OLD_HASH_VAR));
            let b = env(BLOCK_VAR, Some(OLD_BLOCK_VAR));
            (s, h, b, Source::Env)
        };
        let name = |flag: &'static str, env: &'static str| match source {
            Source::Flags => flag,
            Source::Env => env,
        };
        match (secret, hash, block) {
            (Some(_), Some(_), _) | (Some(_), None, Some(_)) => Err(format!(
                "${SECRET_VAR} and ${HASH_VAR} / ${BLOCK_VAR} are all set: \
                 use either the secret or the raw keys"
            )),
            (Some(text), None, None) => {
                let secrets = Secret::parse_list(&text)
                    .map_err(|e| format!("{}: {e}", name("--secret", SECRET_VAR)))?;
                Ok(secrets.iter().map(Secret::keys).collect())
            }
            (None, Some(hash), block) => {
                let hash = hex_key(name("--hash-key", HASH_VAR), &hash)?;
                let block = block
                    .map(|b| hex_key(name("--block-key", BLOCK_VAR), &b))
                    .transpose()?;
                let keys = if self.legacy_keys {
                    Keys::legacy(&hash, block.as_deref())
                } else {
                    Keys::new(&hash, block.as_deref())
                };
                let keys = keys.map_err(|e| match e {
                    Error::HashKeyLength { .. } => {
                        format!("{e} (--legacy-keys accepts old Go keys)")
                    }
                    other => other.to_string(),
                })?;
                Ok(vec![keys])
            }
            (None, None, Some(_)) => Err(format!("${BLOCK_VAR} is set but ${HASH_VAR} is not")),
            (None, None, None) => Err(format!(
                "no keys: pass --secret (or set ${SECRET_VAR}); `securecookie keygen` makes one"
            )),
        }
    }
}

#[derive(Clone, Copy)]
enum Source {
    Flags,
    Env,
}

fn hex_key(what: &str, text: &str) -> Result<Vec<u8>, String> {
    parse_hex_key(text).map_err(|e| match e {
        SecretError::Empty => format!("{what} is empty"),
        e => format!("{what}: {e}"),
    })
}
