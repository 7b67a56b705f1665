//! What to do once the handler has answered: a pure decision over the
//! request's [`State`], so that every rule of "when is a cookie written"
//! reads in one function and is tested without a store or a clock.

use crate::error::Error;
use crate::sessions::store::{Record, SessionId};

use super::config::LayerConfig;
use super::state::State;

/// What the engine does after the handler, when it does anything (no plan:
/// no `Set-Cookie`, the session untouched, or unchanged and not due).
#[derive(Debug)]
pub(crate) enum Plan {
    Save(Record),
    /// The expiring cookie (and, with an id, the record deleted).
    Destroy(Option<SessionId>),
    /// A change that cannot be saved: a 500.
    Fail(Error),
}

/// Decides what to write for `state`; for a session a handler loaded, at
/// the time it loaded (`now`, the clock, only when the state has none).
pub(crate) fn plan(
    state: &mut State,
    config: &LayerConfig,
    max_age: Option<u64>,
    now: impl FnOnce() -> u64,
) -> Option<Plan> {
    if !state.loaded {
        // Never asked for: no clock, no store.
        return None;
    }
    let now = *state.clock.get_or_insert_with(now);
    if state.destroy {
        return Some(Plan::Destroy(state.id));
    }
    if let Some(e) = state.pending_error {
        return Some(Plan::Fail(e));
    }
    let issued = state.issued;
    let rolling_due = issued.is_some_and(|issued| config.rolling_due(issued, now, max_age));
    let wants_save = state.modified
        || state.renew
        || state.outdated
        || rolling_due
        || (config.always_save && issued.is_some());
    if wants_save {
        if state.is_empty() {
            // Nothing worth a cookie: end whatever the request carried.
            return (issued.is_some() || state.rejected.is_some())
                .then_some(Plan::Destroy(state.id));
        }
        return Some(match state.payload(now) {
            Ok(payload) => Plan::Save(Record::new(payload, state.id, state.renew)),
            Err(e) => Plan::Fail(e),
        });
    }
    if state.rejected.is_some() {
        // Clear the bad cookie, so that the browser stops sending it.
        return Some(Plan::Destroy(state.id));
    }
    None
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;

    const NOW: u64 = 1_000_000;

    fn config() -> LayerConfig {
        LayerConfig::new("s".into())
    }

    /// A state as if a cookie issued at `issued` had loaded with `entries`.
    fn loaded(issued: Option<u64>, entries: &[(&str, &str)]) -> State {
        let mut state = State::new();
        state.loaded = true;
        state.issued = issued;
        for (k, v) in entries {
            state.entries.map().set(*k, v.as_bytes().to_vec());
        }
        state
    }

    fn saved(plan: Option<Plan>) -> Vec<u8> {
        match plan {
            Some(Plan::Save(record)) => record.payload,
            other => panic!("expected a save, got {other:?}"),
        }
    }

    #[test]
    fn untouched_reads_no_clock() {
        let mut state = State::new();
        let plan = plan(&mut state, &config(), Some(100), || panic!("clock read"));
        assert!(plan.is_none());
    }

    #[test]
    fn unchanged_is_nothing_until_rolling_is_due() {
        let mut state = loaded(Some(NOW - 49), &[("k", "v")]);
        assert!(plan(&mut state, &config(), Some(100), || NOW).is_none());
        let mut state = loaded(Some(NOW - 50), &[("k", "v")]);
        let payload = saved(plan(&mut state, &config(), Some(100), || NOW));
        assert_eq!(
            crate::codec::kv::get(&payload, "k").unwrap(),
            Some(&b"v"[..])
        );
    }

    #[test]
    fn always_save_saves_a_loaded_cookie_only() {
        let mut config = config();
        config.always_save = true;
        let mut fresh = loaded(None, &[]);
        assert!(plan(&mut fresh, &config, None, || NOW).is_none());
        let mut state = loaded(Some(NOW), &[("k", "v")]);
        saved(plan(&mut state, &config, None, || NOW));
    }

    #[test]
    fn an_emptied_session_is_destroyed_and_a_new_empty_one_is_not_written() {
        let mut state = loaded(Some(NOW), &[]);
        state.modified = true;
        assert!(matches!(
            plan(&mut state, &config(), None, || NOW),
            Some(Plan::Destroy(None))
        ));
        let mut state = loaded(None, &[]);
        state.modified = true;
        assert!(plan(&mut state, &config(), None, || NOW).is_none());
    }

    #[test]
    fn destroy_wins_then_pending_errors_then_rejections_clear() {
        let mut state = loaded(Some(NOW), &[("k", "v")]);
        state.destroy = true;
        state.pending_error = Some(Error::ReservedKey);
        assert!(matches!(
            plan(&mut state, &config(), None, || NOW),
            Some(Plan::Destroy(_))
        ));
        state.destroy = false;
        assert!(matches!(
            plan(&mut state, &config(), None, || NOW),
            Some(Plan::Fail(Error::ReservedKey))
        ));
        let mut state = loaded(None, &[]);
        state.rejected = Some(Error::MacMismatch);
        assert!(matches!(
            plan(&mut state, &config(), None, || NOW),
            Some(Plan::Destroy(None))
        ));
        // A new session saved over a bad cookie replaces it.
        state.entries.map().set("k", b"v".to_vec());
        state.modified = true;
        saved(plan(&mut state, &config(), None, || NOW));
    }

    #[test]
    fn renew_restamps_the_creation_time() {
        let mut state = loaded(Some(NOW), &[("\0c", "1000000"), ("k", "v")]);
        state.renew = true;
        assert_eq!(state.created(), Some(NOW));
        let payload = saved(plan(&mut state, &config(), None, || NOW + 7));
        let stamp = crate::codec::kv::get(&payload, "\0c").unwrap();
        assert_eq!(stamp, Some(&b"1000007"[..]));
        assert_eq!(
            crate::codec::kv::get(&payload, "k").unwrap(),
            Some(&b"v"[..])
        );
    }
}
