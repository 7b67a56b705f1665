//! [`Typed`]: the whole session as one struct, for apps that keep it so.

use std::vec::Vec;

use super::SessionHandle;
use crate::sessions::value::SessionValue;

/// The whole session as one value `T` (a cart, a wizard's answers, a
/// user's preferences): read it through `Deref`, change it through
/// `DerefMut`, and it is saved when it changed, the way
/// [`SessionHandle::set`] saves. The same lifecycle as the handle's:
/// [`handle`](Self::handle) renews, destroys, flashes.
///
/// `T` lives under the key [`Typed::KEY`] of the session (other keys stay
/// usable through the handle). A session without it, or with one that no
/// longer fits `T` (a WARN event names the key and the type, as
/// [`SessionHandle::try_get`] does), starts from `T::default()`; an
/// untouched default is never written, so a visitor who changes nothing
/// gets no cookie. With the `serde` feature any
/// `Serialize + DeserializeOwned + Default` type works; with axum it is an
/// extractor (`Typed<Cart>` in a handler's arguments).
///
/// ```
/// # #[cfg(all(feature = "tower", feature = "serde"))] mod demo {
/// # #[derive(Default, serde::Serialize, serde::Deserialize)]
/// # struct Cart { items: Vec<String> }
/// use securecookie::layer::Typed;
/// async fn add(mut cart: Typed<Cart>) -> String {
///     cart.items.push("apple".into()); // saved after the handler
///     format!("{} items", cart.items.len())
/// }
/// async fn checkout(cart: Typed<Cart>) {
///     cart.handle().destroy(); // ends the session, as the handle's destroy
/// }
/// # }
/// ```
///
/// The value is written back when the `Typed` is dropped (at the end of
/// the handler), or at [`save`](Self::save): moving it into a task that
/// outlives the request loses what that task changes.
pub struct Typed<T: SessionValue> {
    handle: SessionHandle,
    value: T,
    /// The value's bytes as read (or as the default): unchanged bytes are
    /// not written.
    baseline: Vec<u8>,
}

impl<T: SessionValue> Typed<T> {
    /// The session key the value lives under.
    pub const KEY: &'static str = "session";

    /// The value in `handle`'s session, or `T::default()`.
    pub fn load(handle: SessionHandle) -> Self
    where
        T: Default,
    {
        let value = handle.get::<T>(Self::KEY).unwrap_or_default();
        let mut baseline = Vec::new();
        value.write_bytes(&mut baseline);
        Typed {
            handle,
            value,
            baseline,
        }
    }

    /// The session's handle: renew, destroy, flash values, other keys.
    pub fn handle(&self) -> &SessionHandle {
        &self.handle
    }

    /// Writes the value into the session now if it changed (dropping the
    /// `Typed` does the same).
    pub fn save(&mut self) {
        let mut bytes = Vec::new();
        self.value.write_bytes(&mut bytes);
        if bytes != self.baseline {
            self.baseline.clone_from(&bytes);
            self.handle.write_bytes(Self::KEY.into(), bytes);
        }
    }
}

impl<T: SessionValue> core::ops::Deref for Typed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: SessionValue> core::ops::DerefMut for Typed<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

impl<T: SessionValue> Drop for Typed<T> {
    fn drop(&mut self) {
        self.save();
    }
}

impl<T: SessionValue> core::fmt::Debug for Typed<T> {
    // The value is plaintext session data: not shown.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Typed")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}
