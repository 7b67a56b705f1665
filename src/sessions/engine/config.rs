//! What an [`Engine`](super::Engine) is configured with, and the rolling
//! renewal threshold it implies.

use std::string::String;

/// The engine's settings, which the adapters' builders set: a session
/// layer's (tower) or middleware's (actix-web) configuration.
#[derive(Clone, Debug)]
pub(crate) struct LayerConfig {
    /// The session cookie's name.
    pub(crate) name: String,
    /// Save every loaded session, changed or not.
    pub(crate) always_save: bool,
    /// Re-issue a cookie once it has used this percentage of its max age.
    pub(crate) rolling: Option<u8>,
    /// The absolute cap on a session's age, in seconds.
    pub(crate) lifetime: Option<u64>,
    /// CSRF tokens: the anonymous visitor's cookie (see `engine/csrf.rs`).
    pub(crate) csrf: Option<super::csrf::CsrfCookie>,
}

impl LayerConfig {
    /// Rolling renewal at half the max age, no lifetime cap, saves only
    /// when modified.
    pub(crate) fn new(name: String) -> Self {
        LayerConfig {
            name,
            always_save: false,
            rolling: Some(50),
            lifetime: None,
            csrf: None,
        }
    }

    /// True when a cookie issued at `issued` should be re-issued at `now`
    /// (rolling renewal), for a store whose cookies live `max_age` seconds.
    pub(crate) fn rolling_due(&self, issued: u64, now: u64, max_age: Option<u64>) -> bool {
        match (self.rolling, max_age) {
            (Some(percent), Some(age)) => now.saturating_sub(issued) >= percent_of(age, percent),
            _ => false,
        }
    }

    /// True when a session created at `created` is past the lifetime cap
    /// (the clock is read only when there is a cap).
    pub(crate) fn past_lifetime(&self, created: u64, now: impl FnOnce() -> u64) -> bool {
        self.lifetime
            .is_some_and(|cap| now().saturating_sub(created) > cap)
    }
}

/// `percent`% of `age` seconds, rounded down, for any `age` and percent
/// (a percent past 100 saturates instead of overflowing).
fn percent_of(age: u64, percent: u8) -> u64 {
    let percent = u64::from(percent);
    (age / 100)
        .saturating_mul(percent)
        .saturating_add(age % 100 * percent / 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_threshold_is_the_exact_percent_rounded_down() {
        for (age, percent, threshold) in [
            (604_800, 50, 302_400),
            (199, 50, 99),
            (99, 50, 49),
            (1, 100, 1),
            (7, 0, 0),
            (250, 255, 637),
            (u64::MAX, 100, u64::MAX),
            (u64::MAX, 255, u64::MAX),
        ] {
            assert_eq!(percent_of(age, percent), threshold, "{percent}% of {age}");
        }
    }

    #[test]
    fn rolling_and_lifetime_decisions() {
        let mut config = LayerConfig::new("s".into());
        assert!(!config.rolling_due(100, 149, Some(100)));
        assert!(config.rolling_due(100, 150, Some(100)));
        assert!(!config.rolling_due(100, 10_000, None), "no max age: never");
        config.rolling = None;
        assert!(!config.rolling_due(100, 10_000, Some(100)));
        assert!(
            !config.past_lifetime(0, || panic!("no cap: no clock")),
            "no cap: never"
        );
        config.lifetime = Some(10);
        assert!(!config.past_lifetime(100, || 110));
        assert!(config.past_lifetime(100, || 111));
        assert!(!config.past_lifetime(200, || 100), "a clock that went back");
    }
}
