//! A minimal HTTP/1.1 client for the tests that talk to a real server on
//! loopback (the demo server, chromedriver).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A response, as read off the wire.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// One HTTP/1.1 request per connection (`Connection: close`), read to EOF,
/// with `headers` (and `Content-Length` when there is a body).
///
/// Hand-written rather than `reqwest` with its cookie store: that would add
/// a full HTTP client stack (hyper's client, url, cookie_store, publicsuffix)
/// to the dev-dependencies for ~80 lines of work, and this one sends exactly
/// the bytes a test wants, tampered cookies included.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    if method != "GET" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).expect("send");
    // Read until the message is complete rather than to EOF: not every
    // server closes at once on `Connection: close` (chromedriver does not).
    let mut raw = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    while !is_complete(&raw) {
        let n = stream.read(&mut chunk).expect("read");
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&chunk[..n]);
    }
    parse_reply(&raw)
}

/// True once `raw` holds the headers and the whole body they announce.
fn is_complete(raw: &[u8]) -> bool {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
    let body = &raw[end + 4..];
    if head.contains("transfer-encoding: chunked") {
        return body.ends_with(b"0\r\n\r\n");
    }
    match head
        .split("\r\n")
        .find_map(|l| l.strip_prefix("content-length:"))
    {
        Some(len) => body.len() >= len.trim().parse::<usize>().expect("Content-Length"),
        // No length: the body ends with the connection.
        None => false,
    }
}

fn parse_reply(raw: &[u8]) -> Reply {
    let text = std::str::from_utf8(raw).expect("UTF-8 response");
    let (head, rest) = text.split_once("\r\n\r\n").expect("end of headers");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("header line");
            (n.trim().to_string(), v.trim().to_string())
        })
        .collect();
    let mut reply = Reply {
        status,
        headers,
        body: String::new(),
    };
    reply.body = match reply.header("transfer-encoding") {
        Some(te) if te.eq_ignore_ascii_case("chunked") => dechunk(rest),
        _ => {
            let len: usize = reply
                .header("content-length")
                .map_or(rest.len(), |l| l.parse().unwrap());
            rest[..len].to_string()
        }
    };
    reply
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    loop {
        let (size, tail) = rest.split_once("\r\n").expect("chunk size");
        let size = usize::from_str_radix(size.trim(), 16).expect("hex chunk size");
        if size == 0 {
            return body;
        }
        body.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
}

/// Runs a server on a loopback listener bound to `addr` (port 0: a free
/// one) on its own one-thread runtime; returns the runtime (the server
/// stops when it drops) and the bound address.
pub fn serve_in_background<F>(
    addr: &str,
    serve: impl FnOnce(tokio::net::TcpListener) -> F,
) -> (tokio::runtime::Runtime, SocketAddr)
where
    F: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .unwrap();
    let bound = listener.local_addr().unwrap();
    assert!(bound.ip().is_loopback());
    runtime.spawn(serve(listener));
    (runtime, bound)
}
