//! The demo's pages, written into any `fmt::Write` without allocating.
//! Public so that a comparison built on another cookie crate
//! (benches/worker-cookie) serves the same bytes.

use core::fmt::{self, Write};

use securecookie::set_cookie::ImfFixdate;

use crate::{Escaped, MAX_AGE, MAX_COOKIE_LEN, SESSION};

/// `GET /`: the login form, or a link to the welcome page.
pub fn index(out: &mut impl Write, user: Option<&str>) -> fmt::Result {
    let mut body = Body(out);
    body.open("Log in")?;
    match user {
        Some(id) => write!(
            body.0,
            "<h1>Hello {}</h1>\n<p>You are logged in. <a href=\"/welcome\">Your welcome page</a></p>\n",
            Escaped(id)
        )?,
        None => body.0.write_str(LOGIN_FORM)?,
    }
    body.close()
}

/// The 401 page: why, and why a cookie was refused when one was.
pub fn unauthorized(
    out: &mut impl Write,
    why: &str,
    refused: Option<&dyn fmt::Display>,
) -> fmt::Result {
    let mut body = Body(out);
    body.open("Not logged in")?;
    writeln!(body.0, "<h1>401: {why}</h1>")?;
    if let Some(e) = refused {
        writeln!(
            body.0,
            "<p class=\"error\">Your cookie was refused: {e}.</p>"
        )?;
    }
    body.0
        .write_str("<p>This page needs a session. <a href=\"/\">Log in</a> first.</p>\n")?;
    body.close()
}

/// The welcome page: the flash notice, the user, the cookie's panel
/// (`stored` says how it is sealed), the logout form.
pub fn welcome(
    out: &mut impl Write,
    id: &str,
    notice: Option<&str>,
    stored: &str,
    cookie_len: usize,
    issued: u64,
) -> fmt::Result {
    let mut body = Body(out);
    body.open("Welcome")?;
    if let Some(n) = notice {
        writeln!(body.0, "<p class=\"notice\">{}</p>", Escaped(n))?;
    }
    write!(
        body.0,
        "<h1>Welcome {id}!</h1>\n\
         <table class=\"panel\">\n\
         <caption>Your session cookie <code>{SESSION}</code></caption>\n\
         <tr><th>Stored</th><td>{stored}</td></tr>\n\
         <tr><th>Size</th><td><meter min=\"0\" max=\"{MAX_COOKIE_LEN}\" value=\"{cookie_len}\"></meter> \
         {cookie_len} of {MAX_COOKIE_LEN} bytes</td></tr>\n\
         <tr><th>Issued</th><td>{issued}</td></tr>\n\
         <tr><th>Expires</th><td>{expires} (renewed while you use the site)</td></tr>\n\
         </table>\n\
         <form action=\"/logout\" method=\"post\">\n\
         <input type=\"submit\" value=\"Logout\">\n</form>\n",
        id = Escaped(id),
        issued = ImfFixdate::from_unix(issued).as_str(),
        expires = ImfFixdate::from_unix(issued.saturating_add(MAX_AGE)).as_str(),
    )?;
    body.close()
}

const LOGIN_FORM: &str = "<h1>Log in</h1>\n\
    <form action=\"/login\" method=\"post\">\n\
    <label>User id <input name=\"user-id\" value=\"a1b2c3\" autofocus></label>\n\
    <input type=\"submit\" value=\"Login\">\n</form>\n\
    <p class=\"hint\">Any id of 1 to 64 letters, digits, <code>-</code>, <code>_</code> or <code>.</code>; \
    no password in this demo.</p>\n";

/// A whole page around a body, in the demo's style.
struct Body<'o, W>(&'o mut W);

impl<W: Write> Body<'_, W> {
    fn open(&mut self, title: &str) -> fmt::Result {
        write!(
            self.0,
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{title} · securecookie demo</title>\n<style>{STYLE}</style>\n</head>\n\
             <body>\n<main>\n"
        )
    }

    fn close(&mut self) -> fmt::Result {
        self.0.write_str(
            "</main>\n<footer>A <a href=\"https://crates.io/crates/securecookie\">securecookie</a> demo: \
             the no_std core, no allocator.</footer>\n\
             </body>\n</html>\n",
        )
    }
}

const STYLE: &str = "\
body{font:16px/1.5 system-ui,sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;color:#1f2328;background:#f6f8fa}\
main{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem 2rem}\
h1{font-size:1.4rem;margin:0 0 1rem}\
input{font:inherit;padding:.4rem .6rem;border:1px solid #d0d7de;border-radius:6px}\
input[type=submit]{background:#1f6feb;color:#fff;border:0;cursor:pointer;margin-top:1rem}\
.notice,.error{padding:.5rem 1rem;border-radius:6px}\
.notice{background:#dafbe1}.error{background:#ffebe9}.hint,footer{color:#59636e;font-size:.9rem}\
table{border-collapse:collapse;width:100%}caption{text-align:left;font-weight:600;padding-bottom:.5rem}\
th{text-align:left;padding-right:1rem;white-space:nowrap}th,td{border-top:1px solid #eaeef2;padding:.3rem 0}\
footer{margin-top:1rem;text-align:center}";
