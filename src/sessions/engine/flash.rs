//! Flash values: set on one request, read once on a later one. They live
//! in the payload under a reserved prefix, so that they travel (and are
//! saved) like any entry and no user key can collide with them.

use std::string::String;
use std::vec::Vec;

use crate::sessions::value::SessionValue;

use super::SessionHandle;

/// Flash values live under this prefix and the flash's key.
const FLASH: &str = "\0f";

fn flash_key(key: &str) -> String {
    let mut flash_key = String::with_capacity(FLASH.len() + key.len());
    flash_key.push_str(FLASH);
    flash_key.push_str(key);
    flash_key
}

impl SessionHandle {
    /// Sets a flash value: readable once, with [`take_flash`](Self::take_flash),
    /// on a later request (gorilla/sessions' `AddFlash`, Rails' and Django's
    /// messages).
    pub fn flash<T: SessionValue>(&self, key: &str, value: T) {
        let mut bytes = Vec::new();
        value.write_bytes(&mut bytes);
        let flash_key = flash_key(key);
        self.lock().change(|entries| {
            entries.set(flash_key, bytes);
            true
        });
    }

    /// Takes the flash value under `key`: it is gone afterwards.
    pub fn take_flash<T: SessionValue>(&self, key: &str) -> Option<T> {
        let flash_key = flash_key(key);
        let mut state = self.lock();
        // Most requests have no flash to take: reading leaves the entries
        // as the payload holds them.
        state.entries.get(&flash_key)?;
        let mut taken = None;
        state.change(|entries| {
            taken = entries.remove(&flash_key);
            taken.is_some()
        });
        taken.and_then(|bytes| T::from_bytes(&bytes).ok())
    }
}
