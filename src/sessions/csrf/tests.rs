use std::format;
use std::string::String;
use std::string::ToString;
use std::vec::Vec;

use super::*;

fn secret(byte: u8) -> CsrfSecret {
    CsrfSecret::from_bytes(&[byte; SECRET_LEN]).unwrap()
}

#[test]
fn a_token_is_the_mask_then_the_masked_secret() {
    let s = secret(0x5a);
    let token = s.masked(&[0x0f; SECRET_LEN]);
    assert_eq!(token.len(), TOKEN_LEN);
    let mut want = [0x0f_u8; 2 * SECRET_LEN].to_vec();
    want[SECRET_LEN..].fill(0x0f ^ 0x5a);
    assert_eq!(token, b64::encode_vec(&want));
    assert!(s.verify(&token));
    // A zero mask would show the secret itself: the layout is what it says.
    assert_eq!(
        s.masked(&[0; SECRET_LEN]),
        b64::encode_vec(&[[0u8; SECRET_LEN], [0x5a; SECRET_LEN]].concat())
    );
}

#[test]
fn tokens_differ_per_render_and_all_verify() {
    let s = CsrfSecret::generate().unwrap();
    let tokens: Vec<String> = (0..50).map(|_| s.token().unwrap()).collect();
    for (i, t) in tokens.iter().enumerate() {
        assert!(s.verify(t));
        assert!(!tokens[..i].contains(t), "a token repeated");
    }
    assert_ne!(CsrfSecret::generate().unwrap(), s);
}

#[test]
fn other_secrets_and_damaged_tokens_fail() {
    let s = secret(1);
    let token = s.token().unwrap();
    assert!(!secret(2).verify(&token));
    // Every single-character change of a valid token.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for at in 0..token.len() {
        let mut bytes = token.clone().into_bytes();
        let c = bytes[at];
        bytes[at] = *alphabet.iter().find(|&&a| a != c && a != c ^ 1).unwrap();
        let changed = String::from_utf8(bytes).unwrap();
        // The last character carries 2 unused bits: changing only those
        // is refused by the decoder, never accepted as another token.
        assert!(!s.verify(&changed), "{at}");
    }
    for bad in [
        "",
        &token[1..],
        &format!("{token}A"),
        &"!".repeat(TOKEN_LEN),
        &format!("{}=", &token[..TOKEN_LEN - 1]),
        &token.replace(['-', '_'], "+"),
    ] {
        if bad != token {
            assert!(!s.verify(bad), "{bad}");
        }
    }
}

#[test]
fn nothing_secret_in_debug() {
    let s = secret(0xab);
    assert_eq!(format!("{s:?}"), "CsrfSecret(..)");
    let mut state = CsrfState::new(None, None);
    state.token(true).unwrap();
    let debug = format!("{state:?} {:?}", state.finish(false));
    assert!(!debug.contains("ab, "), "{debug}");
    assert!(debug.contains("Set(..)"), "{debug}");
}

/// A visitor who only loads a form: the secret goes to a cookie of its own,
/// nothing into the session (so a server-side store gets no record).
#[test]
fn an_anonymous_form_stores_nothing_in_the_session() {
    let mut state = CsrfState::new(None, None);
    let token = state.token(true).unwrap();
    let finish = state.finish(false);
    assert_eq!(finish.session_entry, None);
    let Some(AnonymousCookie::Set(cookie)) = finish.cookie else {
        panic!("no anonymous cookie: {finish:?}")
    };
    assert_eq!(cookie.len(), 43);
    // The next request (the form's POST) brings the cookie back.
    let next = CsrfState::new(None, Some(&cookie));
    assert_eq!(next.check(Some(&token), true), Ok(()));
    assert_eq!(next.check(None, true), Err(Refusal::MissingToken));
    assert_eq!(
        next.check(Some(&secret(9).token().unwrap()), true),
        Err(Refusal::BadToken)
    );
    // Without the cookie, or with a damaged one, the token is worth nothing.
    assert!(!CsrfState::new(None, None).verify(&token, true));
    assert!(!CsrfState::new(None, Some(&cookie[1..])).verify(&token, true));
    // A second form on the same page, or the next page: the same secret,
    // no new cookie.
    let mut again = CsrfState::new(None, Some(&cookie));
    let second = again.token(true).unwrap();
    assert_ne!(second, token);
    assert_eq!(
        again.finish(false),
        Finish {
            session_entry: None,
            cookie: None
        }
    );
    assert!(next.verify(&second, true));
}

/// A session that holds something never takes the anonymous cookie's word
/// (a planted cookie cannot vouch for a logged-in user's requests).
#[test]
fn a_session_with_entries_needs_its_own_secret() {
    let mut anonymous = CsrfState::new(None, None);
    let token = anonymous.token(true).unwrap();
    let Some(AnonymousCookie::Set(cookie)) = anonymous.finish(false).cookie else {
        panic!()
    };
    let state = CsrfState::new(None, Some(&cookie));
    assert!(!state.verify(&token, false));
    // A page rendered for it gets a session secret, saved with the session.
    let mut state = CsrfState::new(None, Some(&cookie));
    let own = state.token(false).unwrap();
    let finish = state.finish(true);
    let entry = finish
        .session_entry
        .expect("the secret goes into the session");
    assert_eq!(finish.cookie, Some(AnonymousCookie::Clear));
    let next = CsrfState::new(Some(entry.as_bytes()), None);
    assert!(next.verify(&own, false));
    assert!(!next.verify(&token, false));
}

/// Login: the form was rendered before (anonymous secret); the POST logs in
/// and renews. The secret moves into the session, the anonymous cookie is
/// cleared, and a form rendered before the login still submits after it.
#[test]
fn the_secret_survives_login_and_renew() {
    let mut form = CsrfState::new(None, None);
    let before_login = form.token(true).unwrap();
    let Some(AnonymousCookie::Set(cookie)) = form.finish(false).cookie else {
        panic!()
    };
    let mut login = CsrfState::new(None, Some(&cookie));
    assert_eq!(login.check(Some(&before_login), true), Ok(()));
    // The handler sets the user and renews: the session is saved with entries.
    let finish = login.finish(true);
    let entry = finish.session_entry.expect("adopted");
    assert_eq!(finish.cookie, Some(AnonymousCookie::Clear));
    // Renewing moves the entries (this one included) to the new session.
    let after = CsrfState::new(Some(entry.as_bytes()), None);
    assert!(after.verify(&before_login, false));
    let mut page = CsrfState::new(Some(entry.as_bytes()), None);
    let fresh = page.token(false).unwrap();
    assert!(after.verify(&fresh, false));
    // Saving the session again writes nothing new for CSRF.
    assert_eq!(
        page.finish(true),
        Finish {
            session_entry: None,
            cookie: None
        }
    );
}

/// Logout: tokens die with the session, and with the anonymous cookie.
#[test]
fn destroy_ends_every_token() {
    let entry = secret(3);
    let token = entry.token().unwrap();
    let mut logout = CsrfState::new(Some(entry.as_bytes()), None);
    assert!(logout.verify(&token, false));
    logout.destroy();
    assert!(!logout.verify(&token, false));
    assert!(!logout.verify(&token, true));
    assert_eq!(
        logout.finish(false),
        Finish {
            session_entry: None,
            cookie: None
        }
    );
    // The browser has no session left; the old token verifies nowhere.
    assert!(!CsrfState::new(None, None).verify(&token, true));

    // An anonymous cookie sent along is cleared too.
    let anon_cookie = secret(4).cookie_value();
    let anon_token = secret(4).token().unwrap();
    let mut logout = CsrfState::new(None, Some(&anon_cookie));
    assert!(logout.verify(&anon_token, true));
    logout.destroy();
    assert!(!logout.verify(&anon_token, true));
    assert_eq!(logout.finish(false).cookie, Some(AnonymousCookie::Clear));

    // A login form rendered after the logout gets a new secret.
    let mut logout = CsrfState::new(Some(entry.as_bytes()), Some(&anon_cookie));
    logout.destroy();
    let new_token = logout.token(true).unwrap();
    let Some(AnonymousCookie::Set(new_cookie)) = logout.finish(false).cookie else {
        panic!()
    };
    assert_ne!(new_cookie, anon_cookie);
    let next = CsrfState::new(None, Some(&new_cookie));
    assert!(next.verify(&new_token, true));
    assert!(!next.verify(&anon_token, true));
}

#[test]
fn malformed_entries_and_cookies_count_as_absent() {
    let state = CsrfState::new(Some(b"short"), Some("not-a-secret"));
    assert!(!state.verify(&secret(0).token().unwrap(), true));
    let mut state = CsrfState::new(Some(&[1; 33]), Some(&"A".repeat(44)));
    state.token(true).unwrap();
    assert!(matches!(
        state.finish(false).cookie,
        Some(AnonymousCookie::Set(_))
    ));
}

#[test]
fn unsafe_methods() {
    for m in ["POST", "PUT", "PATCH", "DELETE", "PROPFIND", "post"] {
        assert!(is_unsafe_method(m), "{m}");
    }
    for m in ["GET", "HEAD", "OPTIONS", "TRACE"] {
        assert!(!is_unsafe_method(m), "{m}");
    }
}

#[test]
fn where_the_browser_says_the_request_comes_from() {
    let host = Some(&b"127.0.0.1:8080"[..]);
    let ok = Ok(());
    let cross = Err(Refusal::CrossSite);
    type Case<'a> = (
        Option<&'a [u8]>,
        Option<&'a [u8]>,
        Option<&'a [u8]>,
        Result<(), Refusal>,
    );
    let cases: [Case<'_>; 12] = [
        (Some(b"same-origin"), None, host, ok),
        (Some(b"none"), None, host, ok),
        (Some(b"cross-site"), None, host, cross),
        (Some(b"same-site"), None, host, cross),
        // Sec-Fetch-Site wins over Origin.
        (
            Some(b"cross-site"),
            Some(b"http://127.0.0.1:8080"),
            host,
            cross,
        ),
        (None, Some(b"http://127.0.0.1:8080"), host, ok),
        (
            None,
            Some(b"HTTP://127.0.0.1:8080"),
            Some(b"127.0.0.1:8080"),
            ok,
        ),
        (None, Some(b"http://127.0.0.1:8081"), host, cross),
        (None, Some(b"http://evil.example"), host, cross),
        (None, Some(b"null"), host, cross),
        (None, Some(b"garbage"), host, cross),
        // Nothing known: the token decides.
        (None, None, host, ok),
    ];
    for (site, origin, host, want) in cases {
        assert_eq!(
            check_origin(site, origin, host),
            want,
            "{site:?} {origin:?}"
        );
    }
    assert_eq!(check_origin(None, Some(b"http://a"), None), cross);
    assert_eq!(check_origin(None, None, None), ok);
    assert_eq!(
        Refusal::CrossSite.to_string(),
        "a cross-site request that changes state"
    );
}

#[test]
fn the_token_field_of_a_form() {
    let t = secret(7).token().unwrap();
    let body = format!("user-id=a1b2c3&{FORM_FIELD}={t}");
    assert_eq!(form_token(body.as_bytes()), Some(t.as_str()));
    let first = format!("{FORM_FIELD}={t}&x=1");
    assert_eq!(form_token(first.as_bytes()), Some(t.as_str()));
    assert_eq!(form_token(b"user-id=a1b2c3"), None);
    assert_eq!(form_token(b"xcsrf-token=a&csrf-tokenx=b"), None);
    assert_eq!(form_token(b""), None);
    assert_eq!(form_token(b"csrf-token"), None);
    assert_eq!(form_token(b"csrf-token=\xff"), None);
    assert_eq!(anonymous_cookie_name("__Host-my-app"), "__Host-my-app-csrf");
}

#[test]
fn the_anonymous_cookie_line() {
    let config = CookieConfig::default();
    let set = AnonymousCookie::Set(secret(1).cookie_value());
    let name = anonymous_cookie_name("__Host-my-app");
    assert_eq!(
        set.set_cookie(&name, &config).unwrap(),
        format!(
            "__Host-my-app-csrf={}; Path=/; HttpOnly; Secure; SameSite=Lax",
            secret(1).cookie_value()
        )
    );
    assert_eq!(
        AnonymousCookie::Clear
            .set_cookie("my-app-csrf", &CookieConfig::debug())
            .unwrap(),
        "my-app-csrf=; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax"
    );
    assert_eq!(
        set.set_cookie(&name, &CookieConfig::debug()),
        Err(Error::InvalidAttribute { name: "Secure" })
    );
    assert_eq!(set.set_cookie("bad name", &config), Err(Error::InvalidName));
    // The session cookie's Domain, when it has one, is the anonymous one's.
    let shared = CookieConfig {
        domain: Some("example.com".into()),
        ..CookieConfig::default()
    };
    assert_eq!(
        AnonymousCookie::Clear
            .set_cookie("my-app-csrf", &shared)
            .unwrap(),
        "my-app-csrf=; Path=/; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; Secure; SameSite=Lax"
    );
}

/// A session that already held something never adopts an anonymous cookie
/// sent beside it (one planted by a sibling subdomain, say): it is cleared,
/// and the session makes its own secret.
#[test]
fn a_planted_anonymous_cookie_is_never_adopted() {
    let planted = secret(6);
    let mut state = CsrfState::new(None, Some(&planted.cookie_value()));
    state.session_had_entries();
    assert!(!state.verify(&planted.token().unwrap(), true));
    let own = state.token(false).unwrap();
    let finish = state.finish(true);
    let entry = finish.session_entry.expect("a secret of its own");
    assert_ne!(entry, planted);
    assert_eq!(finish.cookie, Some(AnonymousCookie::Clear));
    assert!(CsrfState::new(Some(entry.as_bytes()), None).verify(&own, false));
    // Without a page rendered, nothing is adopted either.
    let mut quiet = CsrfState::new(None, Some(&planted.cookie_value()));
    quiet.session_had_entries();
    assert_eq!(
        quiet.finish(true),
        Finish {
            session_entry: None,
            cookie: Some(AnonymousCookie::Clear)
        }
    );
}
