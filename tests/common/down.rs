//! A session store that fails as a broken database would: every call is a
//! backend error, counted. Shared by the adapters' tests (tower/axum and
//! actix-web), which must answer it the same way.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use securecookie::{Loaded, Record, SessionId, SessionStore, StoreError};

#[derive(Default)]
pub struct Down {
    pub calls: Arc<AtomicUsize>,
}

impl SessionStore for Down {
    async fn load(&self, _name: &str, _value: &str) -> Result<Loaded, StoreError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Err(StoreError::backend("connection refused"))
    }

    async fn save(&self, _name: &str, _record: Record) -> Result<String, StoreError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Err(StoreError::backend("connection refused"))
    }

    async fn destroy(&self, _name: &str, _id: Option<SessionId>) -> Result<String, StoreError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Err(StoreError::backend("connection refused"))
    }

    fn max_age(&self) -> Option<u64> {
        None
    }
}
