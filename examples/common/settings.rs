//! The demos' environment (`ADDR`, the keys, `INSECURE_COOKIES`,
//! `SESSION_STORE`) and the store it selects, for any framework.

use std::sync::Arc;

use securecookie::{CookieConfig, CookieStore, Error, Keys, Secret, SessionStore, random_key};

use super::UserSessions;
#[cfg(any(feature = "redis", feature = "sqlite", feature = "postgres"))]
use super::{USER_AGENT, USER_ID};

/// What the environment asks for.
pub struct Settings {
    /// Where to listen.
    pub addr: String,
    /// The key pair that writes cookies.
    pub keys: Keys,
    /// Older keys that still read them (`SESSION_SECRET="new,old"`).
    pub older_keys: Vec<Keys>,
    /// True when no keys were given and random ones were drawn.
    pub random_keys: bool,
    /// The cookie attributes.
    pub config: CookieConfig,
    /// `SESSION_STORE`: the Redis, SQLite or Postgres URL, or `None` for
    /// cookie sessions.
    pub session_store: Option<String>,
}

impl Settings {
    /// Reads the settings through `var` (`std::env::var` in `main`).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let addr = var("ADDR").unwrap_or_else(|| "127.0.0.1:8080".to_string());
        let mut older_keys = Vec::new();
        let hash = var("SESSION_HASH_KEY").map(|h| hex("SESSION_HASH_KEY", &h));
        let block = var("SESSION_BLOCK_KEY").map(|b| hex("SESSION_BLOCK_KEY", &b));
        let (keys, random_keys) = match (var("SESSION_SECRET"), hash, block) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(
                    "SESSION_SECRET and SESSION_HASH_KEY / SESSION_BLOCK_KEY are all \
                            set: use either the secret or the raw keys"
                        .into(),
                );
            }
            (Some(text), None, None) => {
                let secrets =
                    Secret::parse_list(&text).map_err(|e| format!("SESSION_SECRET: {e}"))?;
                older_keys = secrets[1..].iter().map(Secret::keys).collect();
                (Ok(secrets[0].keys()), false)
            }
            (None, hash, block) => match (hash, block) {
                (None, None) => {
                    let random = |_| format!("no randomness: {}", Error::Random);
                    let hash = random_key::<32>().map_err(random)?;
                    let block = random_key::<32>().map_err(random)?;
                    (Keys::new(&hash, Some(&block)), true)
                }
                (Some(hash), block) => {
                    let block = block.transpose()?;
                    (Keys::new(&hash?, block.as_deref()), false)
                }
                (None, Some(_)) => {
                    return Err("SESSION_BLOCK_KEY is set but SESSION_HASH_KEY is not".into());
                }
            },
        };
        let keys = keys.map_err(|e| format!("bad session key: {e}"))?;
        let config = match var("INSECURE_COOKIES").as_deref() {
            Some("1") => CookieConfig::debug(),
            _ => CookieConfig::default(),
        };
        Ok(Settings {
            addr,
            keys,
            older_keys,
            random_keys,
            config,
            session_store: var("SESSION_STORE").filter(|url| !url.is_empty()),
        })
    }

    /// The session store these settings describe.
    pub fn store(&self) -> Result<CookieStore<String>, Error> {
        CookieStore::new(self.config.clone(), self.all_keys())
    }

    /// The Redis store `SESSION_STORE` names (the URL is not echoed: it
    /// may hold a password).
    #[cfg(feature = "redis")]
    pub async fn redis_store(&self, url: &str) -> Result<securecookie::RedisStore, String> {
        securecookie::RedisStore::open(url, self.config.clone(), self.all_keys())
            .await
            .map(|s| s.user_key(USER_ID).label_key(USER_AGENT))
            .map_err(|e| format!("SESSION_STORE: {e}"))
    }

    /// The SQLite store of `SESSION_STORE=sqlite://PATH`.
    #[cfg(feature = "sqlite")]
    pub async fn sqlite_store(&self, path: &str) -> Result<securecookie::SqliteStore, String> {
        securecookie::SqliteStore::open(path, self.config.clone(), self.all_keys())
            .await
            .map(|s| s.user_key(USER_ID).label_key(USER_AGENT))
            .map_err(|e| format!("SESSION_STORE: {e}"))
    }

    /// The Postgres store of `SESSION_STORE=postgres://...`.
    #[cfg(feature = "postgres")]
    pub async fn postgres_store(&self, url: &str) -> Result<securecookie::PostgresStore, String> {
        securecookie::PostgresStore::open(url, self.config.clone(), self.all_keys())
            .await
            .map(|s| s.user_key(USER_ID).label_key(USER_AGENT))
            .map_err(|e| format!("SESSION_STORE: {e}"))
    }

    /// Which database `SESSION_STORE` names, by its scheme.
    pub fn store_kind(&self) -> Option<&'static str> {
        let url = self.session_store.as_deref()?;
        Some(if url.starts_with("sqlite:") {
            "SQLite"
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            "Postgres"
        } else {
            "Redis"
        })
    }

    /// The keys, newest first.
    fn all_keys(&self) -> Vec<Keys> {
        std::iter::once(&self.keys)
            .chain(&self.older_keys)
            .cloned()
            .collect()
    }

    /// What the welcome page says about where the session lives.
    pub fn about(&self) -> String {
        let sealing = if self.keys.is_encrypted() {
            "encrypted (AES-CTR) and signed (HMAC-SHA256)"
        } else {
            "signed (HMAC-SHA256), not encrypted"
        };
        match self.store_kind() {
            None => format!("in the cookie: compact envelope, {sealing}"),
            Some(db) => {
                format!("in {db}, {sealing}; the cookie holds only a sealed 128-bit session id")
            }
        }
    }
}

fn hex(var: &str, text: &str) -> Result<Vec<u8>, String> {
    securecookie::secret::parse_hex_key(text).map_err(|e| format!("{var}: {e}"))
}

/// What a framework's demo does with the store `SESSION_STORE` selects:
/// build its app around it (with "your sessions" for a server-side store).
pub trait Framework {
    /// What it builds (an axum `Router`, an actix-web `Server`, ...).
    type App;
    /// The app on `store`; `sessions` is the same store's "your sessions"
    /// view, `None` for cookie sessions.
    fn app<S: SessionStore>(self, store: S, sessions: Option<Arc<dyn UserSessions>>) -> Self::App;
}

impl Settings {
    /// Prints what the settings mean for the sessions (random keys, no
    /// encryption, plain-HTTP cookies).
    pub fn warn(&self) {
        if self.random_keys {
            eprintln!(
                "warning: SESSION_SECRET not set: using fresh random keys, so sessions will not \
                 survive a restart (make a secret with \
                 `cargo run --features cli --bin securecookie keygen`)"
            );
        } else if !self.keys.is_encrypted() {
            eprintln!("note: SESSION_BLOCK_KEY not set: cookies are signed, not encrypted");
        }
        if !self.config.secure {
            eprintln!("warning: INSECURE_COOKIES=1: cookies are sent over plain HTTP");
        }
    }

    /// Opens the store `SESSION_STORE` names (the cookie store when unset)
    /// and hands it to `framework`. `example` and `feature`: how this demo
    /// is run, for the message when a database's feature is missing.
    pub async fn build<F: Framework>(
        &self,
        framework: F,
        example: &str,
        feature: &str,
    ) -> Result<F::App, String> {
        match self.session_store.as_deref() {
            None => {
                let store = self.store().map_err(|e| e.to_string())?;
                Ok(framework.app(store, None))
            }
            #[cfg(feature = "sqlite")]
            Some(url) if url.starts_with("sqlite:") => {
                let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
                Ok(server_side(
                    framework,
                    self.sqlite_store(path).await?,
                    "SQLite",
                ))
            }
            #[cfg(feature = "postgres")]
            Some(url) if self.store_kind() == Some("Postgres") => Ok(server_side(
                framework,
                self.postgres_store(url).await?,
                "Postgres",
            )),
            #[cfg(feature = "redis")]
            Some(url) if self.store_kind() == Some("Redis") => Ok(server_side(
                framework,
                self.redis_store(url).await?,
                "Redis",
            )),
            Some(_) => {
                let db = self.store_kind().unwrap_or("Redis").to_lowercase();
                Err(format!(
                    "SESSION_STORE needs the `{db}` feature: \
                     cargo run --example {example} --features {feature},{db}"
                ))
            }
        }
    }
}

/// A server-side store, with its "your sessions" view.
#[cfg(any(feature = "redis", feature = "sqlite", feature = "postgres"))]
fn server_side<F: Framework, B: securecookie::SessionBackend + Clone>(
    framework: F,
    store: securecookie::ServerStore<B>,
    db: &str,
) -> F::App {
    eprintln!("sessions in {db} (SESSION_STORE)");
    let sessions: Arc<dyn UserSessions> = Arc::new(store.clone());
    framework.app(store, Some(sessions))
}
