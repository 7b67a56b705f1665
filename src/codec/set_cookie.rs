//! Rendering a `Set-Cookie` response header value (RFC 6265 §4.1), without
//! an allocator.
//!
//! Attributes come in the order Go's `net/http` writes them: `Path`,
//! `Domain`, `Expires`, `Max-Age`, `HttpOnly`, `Secure`, `SameSite`.
//! `Expires` is an IMF-fixdate (RFC 9110 §5.6.7), computed here from Unix
//! seconds with plain calendar arithmetic: no date crate, no clock.
//!
//! ```
//! use securecookie::set_cookie::{SameSite, SetCookie};
//!
//! let mut line = heapless::String::<128>::new();
//! SetCookie {
//!     path: Some("/"),
//!     expires: Some(1_800_604_800),
//!     max_age: Some(604_800),
//!     http_only: true,
//!     secure: true,
//!     same_site: Some(SameSite::Lax),
//!     ..SetCookie::new("my-app", "abc123")
//! }
//! .write_to(&mut line)
//! .unwrap();
//! assert_eq!(
//!     line,
//!     "my-app=abc123; Path=/; Expires=Fri, 22 Jan 2027 08:00:00 GMT; \
//!      Max-Age=604800; HttpOnly; Secure; SameSite=Lax"
//! );
//! ```

use core::fmt;

use crate::codec::envelope::is_token;
use crate::error::Error;

/// The `SameSite` attribute: when a browser sends the cookie along with a
/// request that another site started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// Sent on top-level navigations from other sites (following a link),
    /// not on their subresource requests or form posts. The browsers'
    /// default and a good one for sessions.
    Lax,
    /// Never sent on requests that another site started.
    Strict,
    /// Always sent; browsers require `Secure` along with it.
    None,
}

impl SameSite {
    /// The attribute's value as written in the header.
    pub const fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

/// The latest date an IMF-fixdate's four-digit year can say:
/// 9999-12-31 23:59:59 UTC. Later `Expires` times are written as this.
pub const MAX_EXPIRES: u64 = 253_402_300_799;

/// One `Set-Cookie` header value, borrowed from its parts.
///
/// Build it with [`new`](Self::new) and struct-update syntax, check it with
/// [`check`](Self::check) (the store does that for you), then write it with
/// [`write_to`](Self::write_to) or `Display`. Writing does not check; a
/// value that passed [`check`](Self::check) is valid RFC 6265 syntax.
///
/// `Debug` shows the value's length, not the value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SetCookie<'a> {
    /// The cookie name: an RFC 6265 token.
    pub name: &'a str,
    /// The cookie value: RFC 6265 cookie-octets (base64 qualifies), unquoted.
    pub value: &'a str,
    /// `Path=`; `None` lets the browser default to the request's directory.
    pub path: Option<&'a str>,
    /// `Domain=`; `None` makes a host-only cookie.
    pub domain: Option<&'a str>,
    /// `Expires=`, in Unix seconds (clamped to [`MAX_EXPIRES`]).
    pub expires: Option<u64>,
    /// `Max-Age=`, in seconds; `Some(0)` tells the browser to drop the cookie.
    pub max_age: Option<u64>,
    /// `HttpOnly`: hidden from page scripts.
    pub http_only: bool,
    /// `Secure`: sent over HTTPS only.
    pub secure: bool,
    /// `SameSite=`.
    pub same_site: Option<SameSite>,
}

impl<'a> SetCookie<'a> {
    /// `name=value` with no attributes.
    pub const fn new(name: &'a str, value: &'a str) -> Self {
        SetCookie {
            name,
            value,
            path: None,
            domain: None,
            expires: None,
            max_age: None,
            http_only: false,
            secure: false,
            same_site: None,
        }
    }

    /// Checks that every part can be written as RFC 6265 syntax.
    ///
    /// ```
    /// use securecookie::{Error, set_cookie::SetCookie};
    /// assert!(SetCookie::new("s", "v1").check().is_ok());
    /// assert_eq!(SetCookie::new("s;", "v").check(), Err(Error::InvalidName));
    /// let bad_path = SetCookie { path: Some("/a;b"), ..SetCookie::new("s", "v") };
    /// assert_eq!(bad_path.check(), Err(Error::InvalidAttribute { name: "Path" }));
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidName`] for a name that is not a token;
    /// [`Error::InvalidAttribute`] naming the value, `Path` or `Domain`
    /// (see [`is_valid_path`], [`is_valid_domain`]).
    pub fn check(&self) -> Result<(), Error> {
        if !is_token(self.name.as_bytes()) {
            return Err(Error::InvalidName);
        }
        if !self.value.bytes().all(is_cookie_octet) {
            return Err(Error::InvalidAttribute { name: "value" });
        }
        if self.path.is_some_and(|p| !is_valid_path(p)) {
            return Err(Error::InvalidAttribute { name: "Path" });
        }
        if self.domain.is_some_and(|d| !is_valid_domain(d)) {
            return Err(Error::InvalidAttribute { name: "Domain" });
        }
        Ok(())
    }

    /// Writes the header value (without the `Set-Cookie: ` name).
    ///
    /// # Errors
    /// Only those of `w`.
    pub fn write_to<W: fmt::Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        w.write_str(self.name)?;
        w.write_str("=")?;
        w.write_str(self.value)?;
        self.write_attributes_to(w)
    }

    /// Writes only what follows `name=value`: `; Path=/; ...` (nothing when
    /// there are no attributes). For a caller that wrote the value itself.
    ///
    /// ```
    /// use securecookie::set_cookie::SetCookie;
    /// let c = SetCookie { path: Some("/"), http_only: true, ..SetCookie::new("n", "v") };
    /// let mut attributes = String::new();
    /// c.write_attributes_to(&mut attributes).unwrap();
    /// assert_eq!(attributes, "; Path=/; HttpOnly");
    /// ```
    ///
    /// # Errors
    /// Only those of `w`.
    pub fn write_attributes_to<W: fmt::Write + ?Sized>(&self, w: &mut W) -> fmt::Result {
        if let Some(path) = self.path {
            w.write_str("; Path=")?;
            w.write_str(path)?;
        }
        if let Some(domain) = self.domain {
            w.write_str("; Domain=")?;
            w.write_str(domain)?;
        }
        if let Some(expires) = self.expires {
            w.write_str("; Expires=")?;
            w.write_str(ImfFixdate::from_unix(expires).as_str())?;
        }
        if let Some(max_age) = self.max_age {
            w.write_str("; Max-Age=")?;
            let mut digits = [0u8; 20];
            w.write_str(decimal(max_age, &mut digits))?;
        }
        if self.http_only {
            w.write_str("; HttpOnly")?;
        }
        if self.secure {
            w.write_str("; Secure")?;
        }
        if let Some(same_site) = self.same_site {
            w.write_str("; SameSite=")?;
            w.write_str(same_site.as_str())?;
        }
        Ok(())
    }

    /// The exact length [`write_to`](Self::write_to) writes, to size a
    /// buffer once.
    ///
    /// ```
    /// use securecookie::set_cookie::SetCookie;
    /// let c = SetCookie { max_age: Some(0), http_only: true, ..SetCookie::new("s", "") };
    /// assert_eq!(c.rendered_len(), c.to_string().len());
    /// ```
    pub fn rendered_len(&self) -> usize {
        let mut len = self.name.len() + 1 + self.value.len();
        len += self.path.map_or(0, |p| "; Path=".len() + p.len());
        len += self.domain.map_or(0, |d| "; Domain=".len() + d.len());
        len += self
            .expires
            .map_or(0, |_| "; Expires=".len() + ImfFixdate::LEN);
        len += self
            .max_age
            .map_or(0, |n| "; Max-Age=".len() + decimal_len(n));
        len += if self.http_only {
            "; HttpOnly".len()
        } else {
            0
        };
        len += if self.secure { "; Secure".len() } else { 0 };
        len += self
            .same_site
            .map_or(0, |s| "; SameSite=".len() + s.as_str().len());
        len
    }
}

impl fmt::Display for SetCookie<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

impl fmt::Debug for SetCookie<'_> {
    // The value may be a signed-only cookie, readable plaintext: hide it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetCookie")
            .field("name", &self.name)
            .field("value_len", &self.value.len())
            .field("path", &self.path)
            .field("domain", &self.domain)
            .field("expires", &self.expires)
            .field("max_age", &self.max_age)
            .field("http_only", &self.http_only)
            .field("secure", &self.secure)
            .field("same_site", &self.same_site)
            .finish()
    }
}

/// True when `path` can be a `Path` attribute: non-empty, printable ASCII
/// (spaces allowed), no `;` (RFC 6265 `av-octet`, as Go's `net/http`
/// sanitizes it).
pub fn is_valid_path(path: &str) -> bool {
    !path.is_empty() && path.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b';')
}

/// True when `domain` can be a `Domain` attribute: a non-empty host name of
/// ASCII letters, digits, `-` and `.` (a leading `.` is allowed and ignored
/// by browsers).
pub fn is_valid_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// RFC 6265 `cookie-octet`: printable ASCII but `"`, `,`, `;`, `\` and space.
fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

/// An HTTP date in the IMF-fixdate form, `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// ```
/// use securecookie::set_cookie::ImfFixdate;
/// assert_eq!(ImfFixdate::from_unix(784_111_777).as_str(), "Sun, 06 Nov 1994 08:49:37 GMT");
/// assert_eq!(ImfFixdate::from_unix(1).as_str(), "Thu, 01 Jan 1970 00:00:01 GMT");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ImfFixdate([u8; ImfFixdate::LEN]);

impl ImfFixdate {
    /// Its length: always 29 bytes.
    pub const LEN: usize = 29;

    /// The date for `unix` seconds since 1970 (UTC), clamped to
    /// [`MAX_EXPIRES`] so that the year keeps four digits.
    pub fn from_unix(unix: u64) -> Self {
        const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
        const MONTHS: [&[u8; 3]; 12] = [
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        let t = unix.min(MAX_EXPIRES);
        // Both fit in 32 bits (days up to 2_932_896), where division by a
        // constant is cheaper.
        let days = (t / 86_400) as u32;
        let secs = (t % 86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
        // 1970-01-01 was a Thursday.
        out[0..3].copy_from_slice(DAYS[(days % 7) as usize]);
        two_digits(&mut out[5..7], day);
        out[8..11].copy_from_slice(MONTHS[(month - 1) as usize]);
        two_digits(&mut out[12..14], year / 100);
        two_digits(&mut out[14..16], year);
        two_digits(&mut out[17..19], secs / 3600);
        two_digits(&mut out[20..22], secs / 60 % 60);
        two_digits(&mut out[23..25], secs % 60);
        ImfFixdate(out)
    }

    /// The date as ASCII bytes, for a caller that checks a whole line as
    /// UTF-8 once (the std store).
    #[cfg(feature = "std")]
    pub(crate) fn as_bytes(&self) -> &[u8; Self::LEN] {
        &self.0
    }

    /// The date as text.
    pub fn as_str(&self) -> &str {
        // Built only from ASCII above; the fallback is unreachable.
        core::str::from_utf8(&self.0).unwrap_or("Thu, 01 Jan 1970 00:00:00 GMT")
    }
}

impl fmt::Display for ImfFixdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ImfFixdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ImfFixdate").field(&self.as_str()).finish()
    }
}

/// (year, month 1..=12, day 1..=31) of a day count since 1970-01-01, in the
/// proleptic Gregorian calendar (Howard Hinnant's `civil_from_days`, for
/// non-negative days: eras of 400 years start on March 1st).
fn civil_from_days(days: u32) -> (u32, u32, u32) {
    // Days up to 9999-12-31 keep every product below 2^32.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097; // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // 0..=365, from March 1st
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u32::from(month <= 2);
    (year, month, day)
}

/// The last two decimal digits of `n`.
fn two_digits(out: &mut [u8], n: u32) {
    out[0] = b'0' + (n / 10 % 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

/// `n` in decimal, written at the end of `buf`.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Digits only; the fallback is unreachable.
    core::str::from_utf8(&buf[at..]).unwrap_or("0")
}

fn decimal_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(c: &SetCookie<'_>) -> heapless::String<256> {
        let mut s = heapless::String::new();
        c.write_to(&mut s).unwrap();
        assert_eq!(s.len(), c.rendered_len());
        s
    }

    #[test]
    fn dates() {
        let cases = [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            // Leap days: every 4 years, not 2100, but 2000.
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (1_709_164_799, "Wed, 28 Feb 2024 23:59:59 GMT"),
            (1_709_251_200, "Fri, 01 Mar 2024 00:00:00 GMT"),
            (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
            (4_107_455_999, "Sat, 27 Feb 2100 23:59:59 GMT"),
            (1_767_225_599, "Wed, 31 Dec 2025 23:59:59 GMT"),
            (MAX_EXPIRES, "Fri, 31 Dec 9999 23:59:59 GMT"),
            (u64::MAX, "Fri, 31 Dec 9999 23:59:59 GMT"),
        ];
        for (t, want) in cases {
            assert_eq!(ImfFixdate::from_unix(t).as_str(), want, "{t}");
        }
    }

    #[test]
    fn dates_agree_with_a_day_by_day_walk() {
        // Walk the calendar one day at a time from 1970 and compare.
        let (mut y, mut m, mut d) = (1970u32, 1u32, 1u32);
        for days in 0..(200 * 366) {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = match m {
                2 if leap => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            d += 1;
            if d > len {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }

    #[test]
    fn attribute_order_and_lengths() {
        let all = SetCookie {
            path: Some("/app"),
            domain: Some("example.com"),
            expires: Some(1),
            max_age: Some(0),
            http_only: true,
            secure: true,
            same_site: Some(SameSite::Strict),
            ..SetCookie::new("n", "v")
        };
        assert_eq!(
            render(&all),
            "n=v; Path=/app; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:01 GMT; \
             Max-Age=0; HttpOnly; Secure; SameSite=Strict"
        );
        assert_eq!(render(&SetCookie::new("n", "")), "n=");
        let big = SetCookie {
            max_age: Some(u64::MAX),
            ..SetCookie::new("n", "v")
        };
        assert_eq!(render(&big), "n=v; Max-Age=18446744073709551615");
    }

    #[test]
    fn checks() {
        let ok = SetCookie {
            path: Some("/a b"),
            domain: Some(".example-1.com"),
            ..SetCookie::new("n", "YWJj-_=")
        };
        assert_eq!(ok.check(), Ok(()));
        assert_eq!(SetCookie::new("", "v").check(), Err(Error::InvalidName));
        for bad in ["a b", "a;b", "a\"", "a,b", "a\\b", "é"] {
            assert_eq!(
                SetCookie::new("n", bad).check(),
                Err(Error::InvalidAttribute { name: "value" }),
                "{bad}"
            );
        }
        for bad in ["", "/a;b", "/a\nb", "/\u{7f}", "/é"] {
            let c = SetCookie {
                path: Some(bad),
                ..SetCookie::new("n", "v")
            };
            assert_eq!(c.check(), Err(Error::InvalidAttribute { name: "Path" }));
        }
        for bad in ["", "a b", "a;b", "exa_mple.com", "a:1", "é.com"] {
            let c = SetCookie {
                domain: Some(bad),
                ..SetCookie::new("n", "v")
            };
            assert_eq!(c.check(), Err(Error::InvalidAttribute { name: "Domain" }));
        }
    }

    #[test]
    fn display_matches_write_to() {
        use core::fmt::Write;
        let c = SetCookie {
            domain: Some("a.example"),
            same_site: Some(SameSite::None),
            secure: true,
            ..SetCookie::new("n", "v")
        };
        let mut shown = heapless::String::<128>::new();
        write!(shown, "{c}").unwrap();
        assert_eq!(shown, render(&c));
        assert_eq!(shown, "n=v; Domain=a.example; Secure; SameSite=None");
        let mut date = heapless::String::<96>::new();
        let d = ImfFixdate::from_unix(0);
        write!(date, "{d} {d:?}").unwrap();
        assert_eq!(
            date,
            "Thu, 01 Jan 1970 00:00:00 GMT ImfFixdate(\"Thu, 01 Jan 1970 00:00:00 GMT\")"
        );
        assert_eq!(
            [SameSite::Lax, SameSite::Strict, SameSite::None].map(SameSite::as_str),
            ["Lax", "Strict", "None"]
        );
    }

    #[test]
    fn debug_hides_the_value() {
        use core::fmt::Write;
        let mut s = heapless::String::<512>::new();
        write!(s, "{:?}", SetCookie::new("n", "secretvalue")).unwrap();
        assert!(!s.contains("secretvalue"));
        assert!(s.contains("value_len: 11"));
    }
}
