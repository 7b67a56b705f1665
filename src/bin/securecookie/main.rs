//! `securecookie`: make keys, encode and decode session cookies from the
//! command line, for debugging and for checking interop with Go services.
//!
//! ```text
//! securecookie keygen [--go]
//! securecookie encode --secret SECRET --name NAME key=value...
//! securecookie decode --secret SECRET 'my-app=<value as DevTools shows it>'
//! ```
//!
//! Keys come from `--secret` (one master secret, see `securecookie::secret`)
//! or Go's raw `--hash-key` / `--block-key`, else from the environment
//! variables the demo server reads: `SESSION_SECRET`, or `SESSION_HASH_KEY`
//! and `SESSION_BLOCK_KEY` (the older `SECURECOOKIE_HASH_KEY` /
//! `SECURECOOKIE_BLOCK_KEY` still work, with a note). Exit status: 0
//! success, 1 the cookie (or payload) was refused, 2 bad arguments.
//!
//! Arguments are parsed with `clap`: `--help` on every command, `--version`,
//! a short usage line after a mistake and suggestions for mistyped flags,
//! which a hand-written parser did not give and would only re-implement.

mod keys;
mod pasted;
mod payload;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use securecookie::go::{gob, json};
use securecookie::secret::Secret;
use securecookie::{Codec, Codecs, Error, Format, Iv, Keys, decode_buf_len};

use keys::KeyArgs;
use pasted::Looks;

#[derive(Parser, Debug)]
#[command(
    name = "securecookie",
    version,
    about = "Signed and encrypted session cookies: make keys, encode and decode cookies \
             (this crate's compact format, or Go's gorilla/securecookie format).",
    after_help = "Exit status: 0 success, 1 the cookie was refused, 2 bad arguments.\n\
                  Try: securecookie keygen; securecookie decode --help"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print a fresh master secret for $SESSION_SECRET (with --go, also the
    /// hex key pair Go's securecookie.New takes)
    Keygen(KeygenArgs),
    /// Make a cookie from key=value pairs
    Encode(EncodeArgs),
    /// Read a cookie: its value, `name=value` as a browser's DevTools shows
    /// it, or a whole Cookie header
    #[command(after_long_help = DECODE_OUTPUT)]
    Decode(DecodeArgs),
}

#[derive(Args, Debug)]
struct KeygenArgs {
    /// Also print the hash and block keys derived from the secret, as hex
    /// (`SESSION_HASH_KEY`, `SESSION_BLOCK_KEY`: Go's hashKey and blockKey)
    #[arg(long)]
    go: bool,
    /// Derive the Go keys from this secret instead of a fresh one
    #[arg(long, value_name = "SECRET", requires = "go")]
    secret: Option<String>,
    /// Print the secret as base64 instead of hex
    #[arg(long)]
    base64: bool,
}

#[derive(Args, Debug)]
struct Limits {
    /// Reject cookies older than S seconds (0: off)
    #[arg(long, value_name = "S", default_value_t = securecookie::DEFAULT_COOKIE_MAX_AGE)]
    max_age: u64,
    /// Reject cookies younger than S seconds
    #[arg(long, value_name = "S", default_value_t = 0)]
    min_age: u64,
    /// Longest cookie in characters (0: off)
    #[arg(long, value_name = "N", default_value_t = securecookie::DEFAULT_MAX_LENGTH)]
    max_length: usize,
    /// The time, in Unix seconds [default: the system clock]
    #[arg(long, value_name = "S")]
    now: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum WireFormat {
    /// This crate's format
    Compact,
    /// Go's gorilla/securecookie format
    Gorilla,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum PayloadKind {
    /// This crate's key/value format (goes with compact)
    Kv,
    /// Go's securecookie.GobEncoder, the default of gorilla/sessions and
    /// dghubble/sessions (goes with gorilla)
    Gob,
    /// Go's securecookie.JSONEncoder
    Json,
    /// The bytes as hex (encode: --raw HEX)
    Raw,
}

#[derive(Args, Debug)]
struct EncodeArgs {
    /// Cookie name (bound into the MAC)
    #[arg(long)]
    name: String,
    /// Wire format [default: compact; gorilla with --payload gob|json]
    #[arg(long, value_enum)]
    format: Option<WireFormat>,
    /// The payload [default: kv; gob with --format gorilla]; every value is a
    /// string (JSON {"k":"v"}, gob map[string]string)
    #[arg(long, value_enum)]
    payload: Option<PayloadKind>,
    /// A fixed 16-byte IV as hex, for reproducible output [default: random]
    #[arg(long, value_name = "HEX")]
    iv: Option<String>,
    /// The payload as hex instead of key=value pairs
    #[arg(long, value_name = "HEX", conflicts_with = "pairs")]
    raw: Option<String>,
    #[command(flatten)]
    limits: Limits,
    /// The session's entries
    #[arg(value_name = "KEY=VALUE")]
    pairs: Vec<String>,
    // Last: its help heading applies to the flags after it.
    #[command(flatten)]
    keys: KeyArgs,
}

#[derive(Args, Debug)]
struct DecodeArgs {
    /// Cookie name (bound into the MAC) [default: the pasted name=value's]
    #[arg(long)]
    name: Option<String>,
    /// Wire format [default: what the cookie's first bytes say]
    #[arg(long, value_enum)]
    format: Option<WireFormat>,
    /// The payload [default: kv for compact cookies, gob for gorilla ones]
    #[arg(long, value_enum)]
    payload: Option<PayloadKind>,
    #[command(flatten)]
    limits: Limits,
    /// The cookie: a value, name=value, or a Cookie header (then --name picks)
    cookie: String,
    // Last: its help heading applies to the flags after it.
    #[command(flatten)]
    keys: KeyArgs,
}

const DECODE_OUTPUT: &str = "\
Output: key=value lines sorted by key. A key or string value shows as text
when it is UTF-8 without control characters (a key also without '='), else
as 0x and lowercase hex. Go values that are not strings: []byte by the same
rule, integers in decimal, bools as true/false, floats as Go's JSON writes
them (0.1, 3, 1e+21; NaN, +Inf, -Inf), nil as <nil>. --payload raw prints
the payload as hex.";

/// Why the command failed.
enum Failure {
    /// A command-line mistake: exit 2, with the command's usage line.
    Usage(String),
    /// A refused cookie or payload: exit 1.
    Refused(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Refused(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (name, result) = match &cli.command {
        Command::Keygen(args) => ("keygen", keygen(args)),
        Command::Encode(args) => ("encode", encode(args)),
        Command::Decode(args) => ("decode", decode(args)),
    };
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(Failure::Refused(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(msg)) => {
            // clap's own layout: the message, the command's usage line and
            // a pointer to --help; exit 2.
            let mut cmd = Cli::command();
            cmd.build();
            let sub = cmd.find_subcommand_mut(name).expect("a known command");
            sub.error(ErrorKind::ValueValidation, msg).exit()
        }
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn keygen(args: &KeygenArgs) -> Result<String, Failure> {
    let secret = match &args.secret {
        Some(text) => Secret::parse(text).map_err(|e| Failure::Usage(format!("--secret: {e}")))?,
        None => Secret::generate()?,
    };
    let mut out = String::new();
    if args.secret.is_none() {
        let text = if args.base64 {
            base64_std(secret.as_bytes())
        } else {
            payload::to_hex(secret.as_bytes())
        };
        out += &format!("{}={text}\n", keys::SECRET_VAR);
    }
    if args.go {
        let pair = secret.key_pair();
        out += &format!(
            "{}={}\n{}={}\n",
            keys::HASH_VAR,
            payload::to_hex(pair.hash_key()),
            keys::BLOCK_VAR,
            payload::to_hex(pair.block_key())
        );
        eprintln!(
            "note: the hash and block keys are the ones this crate derives from the secret; \
             in Go: securecookie.New(hashKey, blockKey) with hex.DecodeString of each"
        );
    }
    Ok(out)
}

/// Standard base64 with padding (what `openssl rand -base64` prints).
fn base64_std(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The codecs for `keys` (newest first) in `format`, with the limits.
fn codecs(keys: Vec<Keys>, format: Format, limits: &Limits) -> Vec<Codec> {
    keys.into_iter()
        .map(|k| {
            Codec::with_format(k, format)
                .max_age(limits.max_age)
                .min_age(limits.min_age)
                .max_length(limits.max_length)
        })
        .collect()
}

fn now(limits: &Limits) -> u64 {
    limits.now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

fn hex_arg(flag: &str, text: &str) -> Result<Vec<u8>, Failure> {
    securecookie::secret::parse_hex_key(text).map_err(|e| Failure::Usage(format!("{flag}: {e}")))
}

fn encode(args: &EncodeArgs) -> Result<String, Failure> {
    let keys = args.keys.resolve(env_var).map_err(Failure::Usage)?;
    // Each format with the payload it usually carries, unless told.
    let kind = match (args.payload, args.format, &args.raw) {
        (Some(PayloadKind::Raw), _, None) => {
            return Err(Failure::Usage("--payload raw needs --raw HEX".into()));
        }
        (Some(kind), _, Some(_)) if kind != PayloadKind::Raw => {
            return Err(Failure::Usage(format!(
                "--raw and --payload {} exclude each other",
                kind.to_possible_value()
                    .expect("no skipped variants")
                    .get_name()
            )));
        }
        (_, _, Some(_)) => PayloadKind::Raw,
        (Some(kind), _, None) => kind,
        (None, Some(WireFormat::Gorilla), None) => PayloadKind::Gob,
        (None, _, None) => PayloadKind::Kv,
    };
    let format = match (args.format, kind) {
        (Some(WireFormat::Compact), _) => Format::Compact,
        (Some(WireFormat::Gorilla), _) | (None, PayloadKind::Gob | PayloadKind::Json) => {
            Format::Gorilla
        }
        (None, _) => Format::Compact,
    };
    let payload = match kind {
        PayloadKind::Raw => hex_arg("--raw", args.raw.as_deref().unwrap_or_default())?,
        PayloadKind::Kv => payload::kv_payload(&args.pairs)?,
        PayloadKind::Json => {
            let mut out = Vec::new();
            json::encode(
                &payload::go_map(&args.pairs).map_err(Failure::Usage)?,
                &mut out,
            )?;
            out
        }
        PayloadKind::Gob => {
            let mut out = Vec::new();
            let map = payload::go_map(&args.pairs).map_err(Failure::Usage)?;
            gob::encode_string_map(&map, &mut out)?;
            out
        }
    };
    let iv = match &args.iv {
        Some(hex) => Iv::from_random_bytes(
            hex_arg("--iv", hex)?
                .try_into()
                .map_err(|_| Failure::Usage("--iv must be 16 bytes (32 hex digits)".into()))?,
        ),
        None => Iv::random()?,
    };
    let codecs = codecs(keys, format, &args.limits);
    let codec = &codecs[0];
    let now = now(&args.limits);
    let mut out = vec![0u8; codec.encoded_len(payload.len(), now)];
    let cookie = codec.encode(&args.name, &payload, now, iv, &mut out)?;
    Ok(format!("{cookie}\n"))
}

fn decode(args: &DecodeArgs) -> Result<String, Failure> {
    let (name, value) = match &args.name {
        Some(name) => (
            name.as_str(),
            pasted::pick(&args.cookie, name).map_err(Failure::Usage)?,
        ),
        None => match pasted::split(&args.cookie).map_err(Failure::Usage)? {
            (Some(name), value) => (name, value),
            (None, _) => {
                return Err(Failure::Usage(
                    "--name is required (or paste the cookie as name=value)".into(),
                ));
            }
        },
    };
    let keys = args.keys.resolve(env_var).map_err(Failure::Usage)?;
    let looks = pasted::looks(value);
    let format = match (args.format, looks) {
        (Some(WireFormat::Gorilla), _) | (None, Looks::Gorilla) => Format::Gorilla,
        _ => Format::Compact,
    };
    let list = codecs(keys, format, &args.limits);
    let codecs = Codecs::new(&list)?;
    let mut buf = vec![0u8; decode_buf_len(value.len())];
    let decoded = match codecs.decode(name, value, now(&args.limits), &mut buf) {
        Ok(d) => d,
        Err(Error::MacMismatch) => return Err(Failure::Refused(why_not(looks, &list, name))),
        Err(e) => return Err(e.into()),
    };
    if decoded.index > 0 {
        eprintln!(
            "note: made with secret {} of the list, not the newest: re-issue it",
            decoded.index + 1
        );
    }
    let kind = args.payload.unwrap_or(match format {
        Format::Gorilla => PayloadKind::Gob,
        _ => PayloadKind::Kv,
    });
    match kind {
        PayloadKind::Raw => Ok(format!("{}\n", payload::to_hex(decoded.payload))),
        PayloadKind::Kv => payload::kv_lines(decoded.payload),
        PayloadKind::Json => Ok(payload::go_lines(&json::decode(decoded.payload)?)),
        PayloadKind::Gob => Ok(payload::go_lines(&gob::decode(decoded.payload)?)),
    }
}

/// A MAC mismatch, explained with what the cookie's unauthenticated
/// header says (compact cookies carry their version and key id).
fn why_not(looks: Looks, codecs: &[Codec], name: &str) -> String {
    let encrypted = codecs.iter().any(|c| c.keys().is_encrypted());
    let ids: Vec<String> = codecs
        .iter()
        .map(|c| format!("0x{:02x}", c.keys().key_id()))
        .collect();
    match looks {
        Looks::CompactEncrypted(_) if !encrypted => "the cookie is encrypted (its version byte \
             says so), but no block key was given: use --secret, or add --block-key"
            .into(),
        Looks::CompactSigned(_) if codecs.iter().all(|c| c.keys().is_encrypted()) => {
            "the cookie is signed only (its version byte says so), but the keys encrypt: \
             give the hash key alone"
                .into()
        }
        Looks::CompactSigned(kid) | Looks::CompactEncrypted(kid)
            if !codecs.iter().any(|c| c.keys().key_id() == kid) =>
        {
            format!(
                "cookie MAC does not match: the cookie was made with other keys \
                 (its key id is 0x{kid:02x}; yours: {})",
                ids.join(", ")
            )
        }
        _ => format!(
            "cookie MAC does not match: it was changed, or made for a cookie not named {name:?}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_std_is_rfc_4648_with_padding() {
        // RFC 4648's test vectors, and the two characters only the
        // standard alphabet has (62 `+`, 63 `/`).
        let cases: [(&[u8], &str); 8] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff, 0xbf], "+/+/"),
        ];
        for (bytes, text) in cases {
            assert_eq!(base64_std(bytes), text, "{bytes:?}");
        }
    }
}
