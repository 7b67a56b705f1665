//! The end of a request: the [`plan`](super::plan) carried out against the
//! store, and what the adapter writes: at most one `Set-Cookie` line, or a
//! status to answer instead (with an ERROR event naming the cause).

use std::boxed::Box;
use std::string::String;
use std::sync::Arc;

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use crate::error::Error;
use crate::sessions::store::StoreError;

use super::begin::{Loader, PendingSession};
use super::handle::Inner;
use super::plan::{Plan, plan};

/// The status an adapter answers when the engine cannot do its part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// 500: the session cannot be saved at all (longer than a browser
    /// keeps, a reserved key, ...): this server's fault.
    InternalServerError,
    /// 503: the store does not answer (or is full): a later try may work.
    ServiceUnavailable,
    /// 403: an unsafe request without a valid CSRF token, or cross-site
    /// ([`PendingSession::check_csrf`](super::PendingSession::check_csrf)).
    Forbidden,
}

impl Status {
    /// The HTTP status code.
    pub fn as_u16(self) -> u16 {
        match self {
            Status::InternalServerError => 500,
            Status::ServiceUnavailable => 503,
            Status::Forbidden => 403,
        }
    }
}

/// What the adapter does to the handler's response.
#[derive(Debug)]
pub enum Outcome {
    /// Append this `Set-Cookie` value (visible ASCII: every framework's
    /// header type takes it).
    SetCookie(String),
    /// Replace the response with an empty one of this status, carrying
    /// `error` (in the response's extensions, where the framework has
    /// them) so that an outer layer can explain it. The ERROR event is
    /// already logged.
    Failed {
        /// 500 or 503.
        status: Status,
        /// Why the session was not saved.
        error: SaveError,
    },
}

/// The cause of a 500 or 503 answered because a session could not be
/// saved, in that response's extensions: an outer layer can turn it into a page of
/// its own.
///
/// ```
/// use axum::{Router, middleware::map_response, response::{IntoResponse, Response}};
/// use securecookie::{CookieConfig, CookieStore, Keys, layer::{SaveError, SessionLayer}};
///
/// async fn explain(response: Response) -> Response {
///     match response.extensions().get::<SaveError>() {
///         Some(e) => (response.status(), format!("Your session could not be saved: {e}")).into_response(),
///         None => response,
///     }
/// }
///
/// let store = CookieStore::<String>::new(CookieConfig::default(), [Keys::new(&[7; 32], None)?])?;
/// let app: Router = Router::new()
///     .layer(SessionLayer::new(store, "my-app"))
///     .layer(map_response(explain)); // outside the session layer
/// # Ok::<(), securecookie::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SaveError(pub Arc<StoreError>);

impl core::fmt::Display for SaveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

/// The store work after a handler: a future of the [`Outcome`] (ready at
/// once for a store without I/O, such as the cookie store).
pub struct Finishing(Work);

enum Work {
    /// Done (taken when polled).
    Now(Option<Outcome>),
    Later(Pin<Box<dyn Future<Output = Outcome> + Send>>),
}

impl Finishing {
    /// The outcome when the store work is already done (no await needed).
    pub(crate) fn now(&mut self) -> Option<Outcome> {
        match &mut self.0 {
            Work::Now(outcome) => outcome.take(),
            Work::Later(_) => None,
        }
    }
}

impl Future for Finishing {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        match &mut self.0 {
            // Polled again after it was ready: it stays pending (a future
            // is not polled past its end; never a panic).
            Work::Now(outcome) => outcome.take().map_or(Poll::Pending, Poll::Ready),
            Work::Later(future) => future.as_mut().poll(cx),
        }
    }
}

impl core::fmt::Debug for Finishing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Finishing").finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// An adapter's call of the inner service (the handler), then the
    /// session's [`finish`](PendingSession::finish): the response, with the
    /// [`Ending`] to apply to it. What an adapter's response future wraps,
    /// so that none of them writes this sequence again. Built by
    /// [`PendingSession::around`].
    pub struct Around<F, R> {
        #[pin]
        inner: F,
        session: Option<PendingSession>,
        finishing: Option<(Finishing, R, Option<String>)>,
    }
}

/// What an adapter does to the handler's response: append the anonymous
/// CSRF cookie, then apply the session's outcome (which, when it failed,
/// replaces the response, that cookie included).
#[derive(Debug)]
#[non_exhaustive]
pub struct Ending {
    /// The anonymous visitor's CSRF cookie to append (only with CSRF on).
    pub csrf_cookie: Option<String>,
    /// The session's outcome (`None`: nothing to write).
    pub outcome: Option<Outcome>,
}

impl<F, R, E> Future for Around<F, R>
where
    F: Future<Output = Result<R, E>>,
{
    type Output = Result<(R, Ending), E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let (finishing, _, _) = match this.finishing {
            Some(pending) => pending,
            None => {
                let response = core::task::ready!(this.inner.poll(cx))?;
                let session = this.session.take();
                // Before the session's plan, which it may change.
                let csrf_cookie = session.as_ref().and_then(PendingSession::csrf_cookie);
                let Some(mut finishing) = session.and_then(PendingSession::finish) else {
                    // The untouched (or unchanged) session: no allocation, no await.
                    let ending = Ending {
                        csrf_cookie,
                        outcome: None,
                    };
                    return Poll::Ready(Ok((response, ending)));
                };
                if let Some(outcome) = finishing.now() {
                    // A store without I/O: done without storing the response.
                    let ending = Ending {
                        csrf_cookie,
                        outcome: Some(outcome),
                    };
                    return Poll::Ready(Ok((response, ending)));
                }
                this.finishing.insert((finishing, response, csrf_cookie))
            }
        };
        let outcome = core::task::ready!(Pin::new(finishing).poll(cx));
        match this.finishing.take() {
            Some((_, response, csrf_cookie)) => {
                let ending = Ending {
                    csrf_cookie,
                    outcome: Some(outcome),
                };
                Poll::Ready(Ok((response, ending)))
            }
            // Taken only here, once the outcome is ready: never reached.
            None => Poll::Pending,
        }
    }
}

impl PendingSession {
    /// `inner` (the adapter's call of the handler), then
    /// [`finish`](Self::finish): see [`Around`].
    pub fn around<F, R, E>(self, inner: F) -> Around<F, R>
    where
        F: Future<Output = Result<R, E>>,
    {
        Around {
            inner,
            session: Some(self),
            finishing: None,
        }
    }

    /// After the handler: `None` when there is nothing to write (the
    /// session was never loaded, or is unchanged and not due for renewal:
    /// no allocation, no clock for an untouched one, nothing to await);
    /// otherwise the store work, whose [`Outcome`] says what to send.
    pub fn finish(self) -> Option<Finishing> {
        let (plan, now) = {
            let mut state = self.inner.lock();
            let loader = self.inner.loader();
            let plan = plan(
                &mut state,
                loader.config(),
                loader.max_age(),
                crate::sessions::os::now,
            )?;
            // Set by the plan: a session with something to write loaded.
            (plan, state.clock.unwrap_or_else(crate::sessions::os::now))
        };
        // A store without I/O answers at once: no boxed future to await.
        let work = match carry_out_now(self.inner.loader(), plan, now) {
            Ok(outcome) => Work::Now(Some(outcome)),
            Err(plan) => Work::Later(Box::pin(carry_out(self.inner, plan))),
        };
        Some(Finishing(work))
    }
}

/// The plan carried out (at `now`, the request's time) by a store that
/// answers at once; `Err`: the plan (or what remains of it) needs awaiting.
fn carry_out_now(loader: &dyn Loader, plan: Plan, now: u64) -> Result<Outcome, Plan> {
    let result = match plan {
        Plan::Save(record) => match loader.save_now(record, now) {
            // As `carry_out`: a session destroyed meanwhile is not
            // resurrected, its cookie is dropped.
            Ok(Err(StoreError::Session(Error::UnknownSession))) => {
                return carry_out_now(loader, Plan::Destroy(None), now);
            }
            Ok(result) => result,
            Err(record) => return Err(Plan::Save(record)),
        },
        Plan::Destroy(id) => match loader.destroy_now(id) {
            Some(result) => result,
            None => return Err(Plan::Destroy(id)),
        },
        Plan::Fail(e) => Err(StoreError::Session(e)),
    };
    Ok(settle(loader, result))
}

async fn carry_out(session: Arc<Inner>, plan: Plan) -> Outcome {
    let loader = session.loader();
    let result = match plan {
        Plan::Save(record) => match loader.save(record).await {
            // Destroyed by another request meanwhile: never resurrect it,
            // just drop the cookie.
            Err(StoreError::Session(Error::UnknownSession)) => loader.destroy(None).await,
            other => other,
        },
        Plan::Destroy(id) => loader.destroy(id).await,
        Plan::Fail(e) => Err(StoreError::Session(e)),
    };
    settle(loader, result)
}

/// The outcome of the store's answer: the `Set-Cookie` line, or the
/// status to answer with the ERROR event logged.
fn settle(loader: &dyn Loader, result: Result<String, StoreError>) -> Outcome {
    let failure = match result {
        Ok(line) if is_header_value(&line) => return Outcome::SetCookie(line),
        Ok(_) => StoreError::Session(Error::InvalidAttribute { name: "Set-Cookie" }),
        Err(e) => e,
    };
    // A store that does not answer (or is full) may well answer the next
    // try: 503, as when loading. A session that cannot be saved at all is
    // this server's fault: 500.
    let status = match failure {
        StoreError::Backend(_) => Status::ServiceUnavailable,
        _ => Status::InternalServerError,
    };
    tracing::error!(
        target: "securecookie",
        cookie = %loader.config().name,
        error = %failure,
        status = status.as_u16(),
        "session not saved"
    );
    // An app that installed no subscriber would see a bare 500: say it on
    // stderr instead (the error names sizes and causes, never values).
    if tracing::dispatcher::get_default(|d| d.is::<tracing::subscriber::NoSubscriber>()) {
        std::eprintln!(
            "securecookie: session cookie `{}` not saved, answering {}: {failure}",
            loader.config().name,
            status.as_u16()
        );
    }
    Outcome::Failed {
        status,
        error: SaveError(Arc::new(failure)),
    }
}

/// A store's line is checked visible ASCII; a backend's may not be. Tab,
/// space and `!`..`~` are what every framework's header value accepts.
fn is_header_value(line: &str) -> bool {
    // A fold rather than `all`: no early exit, so the loop vectorizes (this
    // runs on every cookie written).
    line.bytes().fold(true, |ok, b| {
        ok & ((b' '..=b'~').contains(&b) | (b == b'\t'))
    })
}

/// The status to answer when [`PendingSession::load`] failed (the store
/// does not answer): 503, with an ERROR event naming the cause. Every
/// extractor calls this, so that the rule and the event are one.
pub fn unavailable(error: &StoreError) -> Status {
    tracing::error!(
        target: "securecookie",
        error = %error,
        "session not loaded: answering 503"
    );
    Status::ServiceUnavailable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_are_tab_space_and_visible_ascii() {
        for byte in 0..=255u8 {
            // Bytes past ASCII as their UTF-8 (two bytes, both refused).
            let line = std::format!("a={}; Path=/", char::from(byte));
            let expected = byte == b'\t' || (b' '..=b'~').contains(&byte);
            assert_eq!(is_header_value(&line), expected, "{byte:#04x}");
        }
        assert!(is_header_value(""));
    }

    #[test]
    fn finishing_debug_shows_no_outcome() {
        let line = std::string::String::from("id=secret");
        let finishing = Finishing(Work::Now(Some(Outcome::SetCookie(line))));
        assert_eq!(std::format!("{finishing:?}"), "Finishing { .. }");
    }
}
