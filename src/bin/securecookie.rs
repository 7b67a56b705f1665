//! `securecookie`: encode and decode session cookies from the command line,
//! for debugging and for checking interop with Go services.
//!
//! ```text
//! securecookie decode --hash-key HEX [--block-key HEX] --name NAME COOKIE
//! securecookie encode --hash-key HEX [--block-key HEX] --name NAME key=value...
//! ```
//!
//! With `--payload json|gob` the payload is Go's (gorilla/securecookie's
//! `JSONEncoder` or `GobEncoder`, the latter what dghubble/sessions and
//! gorilla/sessions write), and the format defaults to `gorilla`.
//!
//! Run `securecookie --help` for every flag. Keys may come from
//! `SECURECOOKIE_HASH_KEY` / `SECURECOOKIE_BLOCK_KEY` (hex) so that they stay
//! out of shell history. Exit status: 0 success, 1 the cookie (or payload)
//! was refused, 2 bad arguments.

use std::fmt::Write as _;
use std::process::ExitCode;

use securecookie::go::{GoMap, GoValue, gob, json};
use securecookie::{Codec, Format, Iv, Keys, decode_buf_len, kv};

const USAGE: &str = "\
usage:
  securecookie decode [options] [--payload raw|kv|json|gob] COOKIE
  securecookie encode [options] [--payload kv|json|gob] [--iv HEX] (--raw HEX | key=value...)

options:
  --format compact|gorilla   wire format (default: compact; gorilla with
                             --payload json|gob)
  --hash-key HEX             HMAC key, >= 32 bytes (or $SECURECOOKIE_HASH_KEY)
  --block-key HEX            AES key, 16/24/32 bytes (or $SECURECOOKIE_BLOCK_KEY);
                             none: signed-only cookies
  --legacy-keys              accept hash keys shorter than 32 bytes (old Go keys)
  --name NAME                cookie name (bound into the MAC)
  --max-age S                reject cookies older than S seconds (0: off; default 2592000)
  --min-age S                reject cookies younger than S seconds (default 0)
  --max-length N             longest cookie in characters (0: off; default 4096)
  --now S                    the time, in Unix seconds (default: the system clock)
  --payload KIND             the payload inside the envelope:
                               kv    this crate's key/value format (default)
                               json  Go's securecookie.JSONEncoder
                               gob   Go's securecookie.GobEncoder (dghubble/sessions,
                                     gorilla/sessions)
                               raw   decode only: the payload as hex
                             decode prints key=value lines sorted by key; a key or
                             string value shows as text when it is UTF-8 without
                             control characters (a key also without '='), else as
                             0x and lowercase hex. Go values that are not strings:
                             []byte by the same rule, integers in decimal, bools as
                             true/false, floats as Go's JSON writes them (0.1, 3,
                             1e+21; NaN, +Inf, -Inf), nil as <nil>.
                             encode writes every value as a string: JSON
                             {\"key\":\"value\"}, gob map[string]string.
  --iv HEX                   encode: fixed 16-byte IV (reproducible output; default random)
  --raw HEX                  encode: the payload as hex instead of key=value pairs
";

/// A command-line mistake: exit 2.
struct Usage(String);

/// A refused cookie or payload: exit 1.
struct Refused(String);

enum Failure {
    Usage(Usage),
    Refused(Refused),
}

impl From<Usage> for Failure {
    fn from(u: Usage) -> Self {
        Failure::Usage(u)
    }
}

impl From<Refused> for Failure {
    fn from(r: Refused) -> Self {
        Failure::Refused(r)
    }
}

impl From<securecookie::Error> for Failure {
    fn from(e: securecookie::Error) -> Self {
        Failure::Refused(Refused(e.to_string()))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PayloadKind {
    Raw,
    Kv,
    Json,
    Gob,
}

impl PayloadKind {
    fn is_go(self) -> bool {
        matches!(self, PayloadKind::Json | PayloadKind::Gob)
    }
}

#[derive(Default)]
struct Args {
    format: Option<Format>,
    hash_key: Option<Vec<u8>>,
    block_key: Option<Vec<u8>>,
    legacy: bool,
    name: Option<String>,
    max_age: Option<u64>,
    min_age: Option<u64>,
    max_length: Option<usize>,
    now: Option<u64>,
    payload: Option<PayloadKind>,
    iv: Option<[u8; 16]>,
    raw: Option<Vec<u8>>,
    positional: Vec<String>,
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    match run(&argv) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(Failure::Refused(Refused(msg))) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(Usage(msg))) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(argv: &[String]) -> Result<String, Failure> {
    let Some((command, rest)) = argv.split_first() else {
        return Err(Usage(String::new()).into());
    };
    match command.as_str() {
        "-h" | "--help" | "help" => Ok(USAGE.to_string()),
        "decode" => decode(&parse(rest)?),
        "encode" => encode(&parse(rest)?),
        other => Err(Usage(format!("unknown command {other:?}")).into()),
    }
}

fn parse(rest: &[String]) -> Result<Args, Usage> {
    let mut args = Args::default();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Usage(format!("{flag} needs a value")))
        };
        match arg.as_str() {
            "--format" => {
                args.format = Some(match value(arg)?.as_str() {
                    "compact" => Format::Compact,
                    "gorilla" => Format::Gorilla,
                    other => return Err(Usage(format!("unknown format {other:?}"))),
                })
            }
            "--hash-key" => args.hash_key = Some(hex_arg("--hash-key", &value(arg)?)?),
            "--block-key" => args.block_key = Some(hex_arg("--block-key", &value(arg)?)?),
            "--legacy-keys" => args.legacy = true,
            "--name" => args.name = Some(value(arg)?),
            "--max-age" => args.max_age = Some(number(arg, &value(arg)?)?),
            "--min-age" => args.min_age = Some(number(arg, &value(arg)?)?),
            "--max-length" => args.max_length = Some(number(arg, &value(arg)?)?),
            "--now" => args.now = Some(number(arg, &value(arg)?)?),
            "--payload" => {
                args.payload = Some(match value(arg)?.as_str() {
                    "raw" => PayloadKind::Raw,
                    "kv" => PayloadKind::Kv,
                    "json" => PayloadKind::Json,
                    "gob" => PayloadKind::Gob,
                    other => return Err(Usage(format!("unknown payload kind {other:?}"))),
                })
            }
            "--iv" => {
                let iv = hex_arg("--iv", &value(arg)?)?;
                args.iv = Some(
                    iv.try_into()
                        .map_err(|_| Usage("--iv must be 16 bytes (32 hex digits)".into()))?,
                );
            }
            "--raw" => args.raw = Some(hex_arg("--raw", &value(arg)?)?),
            "--" => args.positional.extend(it.by_ref().cloned()),
            flag if flag.starts_with("--") => {
                return Err(Usage(format!("unknown flag {flag:?}")));
            }
            _ => args.positional.push(arg.clone()),
        }
    }
    Ok(args)
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, Usage> {
    text.parse()
        .map_err(|_| Usage(format!("{flag} needs a non-negative integer")))
}

fn hex_arg(flag: &str, text: &str) -> Result<Vec<u8>, Usage> {
    parse_hex(text).ok_or_else(|| Usage(format!("{flag} is not valid hex")))
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

fn env_key(var: &str) -> Result<Option<Vec<u8>>, Usage> {
    match std::env::var(var) {
        Ok(text) if !text.is_empty() => parse_hex(&text)
            .map(Some)
            .ok_or_else(|| Usage(format!("${var} is not valid hex"))),
        _ => Ok(None),
    }
}

fn codec(args: &Args) -> Result<(Codec, &str, u64), Failure> {
    let hash = match &args.hash_key {
        Some(k) => k.clone(),
        None => env_key("SECURECOOKIE_HASH_KEY")?
            .ok_or_else(|| Usage("--hash-key (or $SECURECOOKIE_HASH_KEY) is required".into()))?,
    };
    let block = match &args.block_key {
        Some(k) => Some(k.clone()),
        None => env_key("SECURECOOKIE_BLOCK_KEY")?,
    };
    let keys = if args.legacy {
        Keys::legacy(&hash, block.as_deref())
    } else {
        Keys::new(&hash, block.as_deref())
    }
    .map_err(|e| Usage(e.to_string()))?;
    // Go's payloads live in Go's envelope.
    let format = args.format.unwrap_or(match args.payload {
        Some(kind) if kind.is_go() => Format::Gorilla,
        _ => Format::Compact,
    });
    let mut codec = Codec::with_format(keys, format);
    if let Some(s) = args.max_age {
        codec = codec.max_age(s);
    }
    if let Some(s) = args.min_age {
        codec = codec.min_age(s);
    }
    if let Some(n) = args.max_length {
        codec = codec.max_length(n);
    }
    let name = args
        .name
        .as_deref()
        .ok_or_else(|| Usage("--name is required".into()))?;
    let now = args.now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    Ok((codec, name, now))
}

fn decode(args: &Args) -> Result<String, Failure> {
    if args.iv.is_some() || args.raw.is_some() {
        return Err(Usage("--iv and --raw are for encode".into()).into());
    }
    let (codec, name, now) = codec(args)?;
    let [cookie] = args.positional.as_slice() else {
        return Err(Usage("decode takes exactly one COOKIE".into()).into());
    };
    let mut buf = vec![0u8; decode_buf_len(cookie.len())];
    let decoded = codec.decode(name, cookie.trim(), now, &mut buf)?;
    match args.payload.unwrap_or(PayloadKind::Kv) {
        PayloadKind::Raw => Ok(format!("{}\n", to_hex(decoded.payload))),
        PayloadKind::Kv => {
            let mut out = String::new();
            for entry in kv::KvReader::new(decoded.payload) {
                let (key, value) = entry.map_err(securecookie::Error::from)?;
                let key = shown(key.as_bytes(), true);
                let value = shown(value, false);
                let _ = writeln!(out, "{key}={value}");
            }
            Ok(out)
        }
        PayloadKind::Json => Ok(go_lines(&json::decode(decoded.payload)?)),
        PayloadKind::Gob => Ok(go_lines(&gob::decode(decoded.payload)?)),
    }
}

/// A Go map as `key=value` lines; a `GoMap` iterates in bytewise key order.
fn go_lines(map: &GoMap) -> String {
    let mut out = String::new();
    for (key, value) in map {
        let _ = writeln!(out, "{}={}", shown(key.as_bytes(), true), go_value(value));
    }
    out
}

/// A Go value as text: see USAGE.
fn go_value(value: &GoValue) -> String {
    match value {
        GoValue::String(s) => shown(s.as_bytes(), false),
        GoValue::Bytes(b) => shown(b, false),
        GoValue::Int(i) => i.to_string(),
        GoValue::Uint(u) => u.to_string(),
        GoValue::Bool(b) => b.to_string(),
        GoValue::Null => "<nil>".to_string(),
        GoValue::Float(f) if f.is_nan() => "NaN".to_string(),
        GoValue::Float(f) if f.is_infinite() => if *f > 0.0 { "+Inf" } else { "-Inf" }.to_string(),
        GoValue::Float(_) => {
            // Go's spelling, from the JSON writer: {"":0.1}\n -> 0.1
            let mut out = Vec::new();
            let map: GoMap = [(String::new(), value.clone())].into();
            match json::encode(&map, &mut out) {
                Ok(()) => String::from_utf8_lossy(&out[4..out.len() - 2]).into_owned(),
                Err(_) => "NaN".to_string(),
            }
        }
        // GoValue is non-exhaustive: a later kind shows as its Go type.
        other => format!("<{}>", other.go_type()),
    }
}

fn encode(args: &Args) -> Result<String, Failure> {
    let (codec, name, now) = codec(args)?;
    let payload = match (&args.raw, args.payload) {
        (Some(_), Some(PayloadKind::Kv)) => {
            return Err(Usage("--raw and --payload kv exclude each other".into()).into());
        }
        (Some(_), _) if !args.positional.is_empty() => {
            return Err(Usage("--raw and key=value arguments exclude each other".into()).into());
        }
        (Some(_), Some(kind)) if kind.is_go() => {
            return Err(Usage("--raw and --payload json|gob exclude each other".into()).into());
        }
        (Some(raw), _) => raw.clone(),
        (None, Some(PayloadKind::Raw)) => {
            return Err(Usage("--payload raw needs --raw HEX".into()).into());
        }
        (None, Some(PayloadKind::Json)) => {
            let mut out = Vec::new();
            json::encode(&go_map(&args.positional)?, &mut out)?;
            out
        }
        (None, Some(PayloadKind::Gob)) => {
            let mut out = Vec::new();
            gob::encode_string_map(&go_map(&args.positional)?, &mut out)?;
            out
        }
        (None, _) => kv_payload(&args.positional)?,
    };
    let iv = match args.iv {
        Some(bytes) => Iv::from_random_bytes(bytes),
        None => Iv::random()?,
    };
    let mut out = vec![0u8; codec.encoded_len(payload.len(), now)];
    let cookie = codec.encode(name, &payload, now, iv, &mut out)?;
    Ok(format!("{cookie}\n"))
}

/// `key=value` arguments as a Go `map[string]string`.
fn go_map(pairs: &[String]) -> Result<GoMap, Usage> {
    let mut map = GoMap::new();
    for pair in pairs {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| Usage(format!("{pair:?} is not key=value")))?;
        if map.insert(k.to_string(), GoValue::from(v)).is_some() {
            return Err(Usage(format!("key {k:?} given twice")));
        }
    }
    Ok(map)
}

/// `key=value` arguments, sorted by key as the kv format requires.
fn kv_payload(pairs: &[String]) -> Result<Vec<u8>, Failure> {
    let mut entries: Vec<(&str, &str)> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| Usage(format!("{pair:?} is not key=value")))?;
        entries.push((k, v));
    }
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let size = entries
        .iter()
        .map(|(k, v)| kv::entry_len(k.len(), v.len()))
        .sum();
    let mut buf = vec![0u8; size];
    let mut writer = kv::KvWriter::new(&mut buf);
    for (k, v) in entries {
        writer.push(k, v.as_bytes()).map_err(|e| match e {
            securecookie::Error::Payload(securecookie::KvError::DuplicateKey) => {
                Failure::Usage(Usage(format!("key {k:?} given twice")))
            }
            other => other.into(),
        })?;
    }
    Ok(writer.finish().to_vec())
}

/// Text when it is UTF-8 without control characters (and, for a key,
/// without `=`); otherwise `0x` and lowercase hex.
fn shown(bytes: &[u8], is_key: bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(|c| c.is_control() || (is_key && c == '=')) => {
            text.to_string()
        }
        _ => format!("0x{}", to_hex(bytes)),
    }
}

fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
