//! (feature `http`) Sessions through an [`http::HeaderMap`],
//! the header type of axum, hyper, tower and reqwest.
//!
//! These work with any [`Store`] whose error can hold the crate's [`Error`].
//!
//! ```
//! use http::{HeaderMap, HeaderValue, header::{COOKIE, SET_COOKIE}};
//! use securecookie::{CookieConfig, CookieStore, Keys};
//!
//! let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
//!
//! // Responding: append Set-Cookie.
//! let mut session = store.new_session("my-app");
//! session.set("user-id", "a1b2c3".to_string());
//! let mut response_headers = HeaderMap::new();
//! securecookie::http::save(&store, &session, &mut response_headers)?;
//! let set_cookie = response_headers[SET_COOKIE].to_str().unwrap();
//!
//! // Requesting: HTTP/2 may split cookies over several Cookie headers.
//! let mut request_headers = HeaderMap::new();
//! request_headers.append(COOKIE, HeaderValue::from_static("theme=dark"));
//! let pair = set_cookie.split(';').next().unwrap();
//! request_headers.append(COOKIE, HeaderValue::from_str(pair).unwrap());
//! let session = securecookie::http::get(&store, &request_headers, "my-app")?;
//! assert_eq!(session.get("user-id").map(String::as_str), Some("a1b2c3"));
//! # Ok::<(), securecookie::Error>(())
//! ```

use std::string::String;

use ::http::header::{COOKIE, SET_COOKIE};
use ::http::{HeaderMap, HeaderValue};

use crate::codec::header;
use crate::error::Error;
use crate::sessions::cookie_store::Store;
use crate::sessions::session::Session;

/// The session called `name` from a request's `Cookie` headers (all of them:
/// HTTP/2 sends one per cookie).
///
/// Each cookie called `name` is tried in order; the first session that
/// reads wins. When none does, the error is the first one's. At most
/// [`header::MAX_SAME_NAME`] cookies called `name` are tried, over all the
/// headers (HTTP/2 may send thousands of headers); later ones are ignored.
/// A cookie that is not UTF-8 (another site's Latin-1 cookie) is skipped,
/// never the header it is in.
///
/// # Errors
/// [`Error::NoCookie`] when no header holds the cookie; otherwise as
/// [`Store::get`].
pub fn get<V, S>(store: &S, headers: &HeaderMap, name: &str) -> Result<Session<V>, S::Error>
where
    S: Store<V> + ?Sized,
    S::Error: From<Error>,
{
    let mut first_error = None;
    let cookies = headers
        .get_all(COOKIE)
        .into_iter()
        .map(HeaderValue::as_bytes);
    for found in header::request_cookies(cookies, name) {
        // The pair alone is a header that holds just this cookie.
        match store.get(found.pair, name) {
            Ok(session) => return Ok(session),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| Error::NoCookie.into()))
}

/// Saves `session` and appends its `Set-Cookie` header to `headers`
/// (appends: other cookies set on the same response stay).
///
/// # Errors
/// As [`Store::save`].
pub fn save<V, S>(store: &S, session: &Session<V>, headers: &mut HeaderMap) -> Result<(), S::Error>
where
    S: Store<V> + ?Sized,
    S::Error: From<Error>,
{
    let line = store.save(session)?;
    headers.append(SET_COOKIE, header_value(line)?);
    Ok(())
}

/// Destroys the session called `name` and appends the `Set-Cookie` header
/// that expires its cookie.
///
/// # Errors
/// As [`Store::destroy`].
pub fn destroy<V, S>(store: &S, name: &str, headers: &mut HeaderMap) -> Result<(), S::Error>
where
    S: Store<V> + ?Sized,
    S::Error: From<Error>,
{
    let line = store.destroy(name)?;
    headers.append(SET_COOKIE, header_value(line)?);
    Ok(())
}

/// A store's `Set-Cookie` line is checked visible ASCII, which a
/// `HeaderValue` always accepts; a backend's may not be.
fn header_value(line: String) -> Result<HeaderValue, Error> {
    HeaderValue::try_from(line).map_err(|_| Error::InvalidAttribute { name: "Set-Cookie" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CookieConfig, CookieStore, Keys};
    use std::string::ToString;
    use std::vec::Vec;

    fn store() -> CookieStore<String> {
        CookieStore::new(
            CookieConfig::default(),
            [Keys::new(&[7; 32], Some(&[9; 16])).unwrap()],
        )
        .unwrap()
    }

    fn pair(line: &str) -> HeaderValue {
        HeaderValue::from_str(line.split(';').next().unwrap()).unwrap()
    }

    #[test]
    fn save_get_destroy_through_headers() {
        let store = store();
        let mut session = store.new_session("my-app");
        session.set("user-id", "a1b2c3".to_string());
        let mut out = HeaderMap::new();
        out.append(SET_COOKIE, HeaderValue::from_static("other=1"));
        save(&store, &session, &mut out).unwrap();
        destroy(&store, "my-app", &mut out).unwrap();
        let lines: Vec<_> = out.get_all(SET_COOKIE).iter().collect();
        assert_eq!(lines.len(), 3, "appended, not replaced");
        assert!(lines[1].to_str().unwrap().starts_with("my-app="));
        assert_eq!(lines[2].to_str().unwrap(), store.destroy("my-app").unwrap());

        // The cookie in the second of several Cookie headers (HTTP/2).
        let mut req = HeaderMap::new();
        req.append(COOKIE, HeaderValue::from_static("a=1; b=2"));
        req.append(COOKIE, pair(lines[1].to_str().unwrap()));
        let got = get(&store, &req, "my-app").unwrap();
        assert_eq!(got, session);
    }

    /// The cap holds over all of a request's headers: 15 headers with a
    /// forged cookie each and the valid one in the 16th is found; one more
    /// forged header and it is ignored. A header with several forgeries
    /// counts each.
    #[test]
    fn at_most_max_same_name_cookies_over_all_headers() {
        let store = store();
        let mut session = store.new_session("my-app");
        session.set("k", "v".to_string());
        let line = store.save(&session).unwrap();
        let good = pair(&line);
        let forged = HeaderValue::from_static("my-app=forged00");
        let with_forged = |n: usize| {
            let mut req = HeaderMap::new();
            for _ in 0..n {
                req.append(COOKIE, forged.clone());
            }
            req.append(COOKIE, good.clone());
            req
        };
        let max = header::MAX_SAME_NAME;
        assert_eq!(
            get(&store, &with_forged(max - 1), "my-app"),
            Ok(session.clone())
        );
        assert_eq!(
            get(&store, &with_forged(max), "my-app"),
            Err(Error::Malformed)
        );
        // Several in one header: 14 forged in the first, then one more
        // forged and the good one in the second (16th in all).
        let many = std::vec!["my-app=forged00"; max - 2].join("; ");
        let mut req = HeaderMap::new();
        req.append(COOKIE, HeaderValue::from_str(&many).unwrap());
        let mut second = String::from("my-app=forged22; ");
        second.push_str(good.to_str().unwrap());
        req.append(COOKIE, HeaderValue::from_str(&second).unwrap());
        assert_eq!(get(&store, &req, "my-app"), Ok(session.clone()));
        // One more forgery in the first header pushes it out.
        let mut req = HeaderMap::new();
        let many = std::vec!["my-app=forged00"; max - 1].join("; ");
        req.append(COOKIE, HeaderValue::from_str(&many).unwrap());
        req.append(COOKIE, HeaderValue::from_str(&second).unwrap());
        assert_eq!(get(&store, &req, "my-app"), Err(Error::Malformed));
    }

    #[test]
    fn errors_through_headers() {
        let store = store();
        let mut req = HeaderMap::new();
        assert_eq!(get(&store, &req, "my-app"), Err(Error::NoCookie));
        req.append(COOKIE, HeaderValue::from_static("x=1"));
        assert_eq!(get(&store, &req, "my-app"), Err(Error::NoCookie));
        // A tampered cookie in one header, a good one in the next: the
        // good one wins; alone, the tampered one says why it failed.
        let mut session = store.new_session("my-app");
        session.set("k", "v".to_string());
        let line = store.save(&session).unwrap();
        let good = pair(&line);
        // Change a character in the middle: still canonical base64 (a last
        // character may carry unused bits), so the MAC is what fails.
        let mut bad = good.to_str().unwrap().to_string();
        let mid = bad.len() / 2 + 4;
        let c = if &bad[mid..=mid] == "A" { "B" } else { "A" };
        bad.replace_range(mid..=mid, c);
        let bad = HeaderValue::from_str(&bad).unwrap();
        let mut only_bad = HeaderMap::new();
        only_bad.append(COOKIE, bad.clone());
        assert_eq!(get(&store, &only_bad, "my-app"), Err(Error::MacMismatch));
        let mut both = only_bad.clone();
        both.append(COOKIE, good);
        assert_eq!(get(&store, &both, "my-app"), Ok(session));
        // Non-UTF-8 bytes from some other cookie do not hide ours.
        let mut raw = b"other=\xff\xfe; ".to_vec();
        raw.extend_from_slice(pair(&line).as_bytes());
        let mut req = HeaderMap::new();
        req.append(COOKIE, HeaderValue::from_bytes(&raw).unwrap());
        assert!(get(&store, &req, "my-app").is_ok());
        assert_eq!(
            destroy(&store, "bad name", &mut HeaderMap::new()),
            Err(Error::InvalidName)
        );
    }
}
