//! (std) [`Session<V>`]: one named cookie's key/value map.

use std::string::String;
use std::vec::Vec;

/// A named session: a map from string keys to values of type `V`, kept in
/// ascending (bytewise) key order, the order the cookie payload needs.
///
/// Get one from a [`Store`](crate::Store): [`new_session`] for a fresh one,
/// [`get`] for the one a request carries. Change it, then [`save`] it.
///
/// ```
/// use securecookie::Session;
///
/// let mut session = Session::<String>::new("my-app");
/// session.set("user-id", "a1b2c3".to_string());
/// session.set("lang", "en".to_string());
/// assert_eq!(session.get("user-id").map(String::as_str), Some("a1b2c3"));
///
/// let keys: Vec<&str> = session.iter().map(|(k, _)| k).collect();
/// assert_eq!(keys, ["lang", "user-id"]); // key order
///
/// assert_eq!(session.remove("lang"), Some("en".to_string()));
/// session.clear();
/// assert!(session.is_empty());
/// ```
///
/// A session holds a handful of entries, so they live in one sorted vector
/// (binary search to look up, one allocation for the lot) rather than a
/// tree of nodes.
///
/// `Debug` shows the name and the number of entries, not the values.
///
/// [`new_session`]: crate::Store::new_session
/// [`get`]: crate::Store::get
/// [`save`]: crate::Store::save
#[derive(Clone, PartialEq, Eq)]
pub struct Session<V> {
    name: String,
    /// Strictly ascending keys.
    entries: Vec<(String, V)>,
}

impl<V> Session<V> {
    /// An empty session for the cookie called `name` (checked when saved).
    pub fn new(name: impl Into<String>) -> Self {
        Session {
            name: name.into(),
            entries: Vec::new(),
        }
    }

    /// A session holding `entries` (for [`Store`](crate::Store) backends);
    /// when a key repeats, the last value wins, as with repeated
    /// [`set`](Self::set).
    ///
    /// ```
    /// let entries = [("n".to_string(), 1u32), ("m".to_string(), 2), ("n".to_string(), 3)];
    /// let session = securecookie::Session::from_entries("s", entries);
    /// assert_eq!(session.iter().collect::<Vec<_>>(), [("m", &2), ("n", &3)]);
    /// ```
    pub fn from_entries(
        name: impl Into<String>,
        entries: impl IntoIterator<Item = (String, V)>,
    ) -> Self {
        let mut entries: Vec<(String, V)> = entries.into_iter().collect();
        // Stable: equal keys keep their order, so the last is the newest.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unique: Vec<(String, V)> = Vec::with_capacity(entries.len());
        for entry in entries {
            match unique.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => unique.push(entry),
            }
        }
        Session {
            name: name.into(),
            entries: unique,
        }
    }

    /// A session from entries already strictly ascending (a decoded kv
    /// payload guarantees it).
    pub(crate) fn from_sorted(name: &str, entries: Vec<(String, V)>) -> Self {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        Session {
            name: String::from(name),
            entries,
        }
    }

    /// The cookie name.
    ///
    /// ```
    /// assert_eq!(securecookie::Session::<bool>::new("my-app").name(), "my-app");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value under `key`, if any.
    ///
    /// ```
    /// let mut s = securecookie::Session::new("s");
    /// s.set("n", 7u8);
    /// assert_eq!((s.get("n"), s.get("m")), (Some(&7), None));
    /// ```
    pub fn get(&self, key: &str) -> Option<&V> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    /// Sets `key` to `value`, returning the value it replaces.
    ///
    /// ```
    /// let mut s = securecookie::Session::new("s");
    /// assert_eq!(s.set("n", 1u8), None);
    /// assert_eq!(s.set("n", 2u8), Some(1));
    /// ```
    pub fn set(&mut self, key: impl Into<String>, value: V) -> Option<V> {
        let key = key.into();
        match self.find(&key) {
            Ok(i) => Some(core::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value (Go's sessions cannot remove a key).
    ///
    /// ```
    /// let mut s = securecookie::Session::new("s");
    /// s.set("n", true);
    /// assert_eq!(s.remove("n"), Some(true));
    /// assert_eq!(s.remove("n"), None);
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    /// Removes every entry, keeping the name.
    ///
    /// ```
    /// let mut s = securecookie::Session::new("s");
    /// s.set("n", true);
    /// s.clear();
    /// assert!(s.is_empty() && s.name() == "s");
    /// ```
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// True when the session holds no entries.
    ///
    /// ```
    /// assert!(securecookie::Session::<u8>::new("s").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of entries.
    ///
    /// ```
    /// let mut s = securecookie::Session::new("s");
    /// s.set("a", 1u8);
    /// s.set("b", 2u8);
    /// assert_eq!(s.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries in ascending (bytewise) key order.
    ///
    /// ```
    /// let mut s = securecookie::Session::new("s");
    /// s.set("b", 2u8);
    /// s.set("a", 1u8);
    /// let all: Vec<_> = s.iter().collect();
    /// assert_eq!(all, [("a", &1), ("b", &2)]);
    /// ```
    pub fn iter(&self) -> SessionIter<'_, V> {
        SessionIter(self.entries.iter())
    }
}

impl<V> core::fmt::Debug for Session<V> {
    // Values are plaintext session data: show only how many there are.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("name", &self.name)
            .field("len", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// The entries of a [`Session`], in key order; see [`Session::iter`].
#[derive(Clone)]
pub struct SessionIter<'s, V>(core::slice::Iter<'s, (String, V)>);

impl<'s, V> Iterator for SessionIter<'s, V> {
    type Item = (&'s str, &'s V);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_str(), v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> DoubleEndedIterator for SessionIter<'_, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k.as_str(), v))
    }
}

impl<V> ExactSizeIterator for SessionIter<'_, V> {}

impl<V> core::fmt::Debug for SessionIter<'_, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionIter")
            .field("remaining", &self.0.len())
            .finish()
    }
}

impl<'s, V> IntoIterator for &'s Session<V> {
    type Item = (&'s str, &'s V);
    type IntoIter = SessionIter<'s, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::string::ToString;
    use std::vec::Vec;

    #[test]
    fn map_operations() {
        let mut s = Session::new("my-app");
        assert!(s.is_empty());
        assert_eq!(s.set("user-id", "a".to_string()), None);
        assert_eq!(s.set("user-id", "b".to_string()), Some("a".to_string()));
        s.set("Z", "upper".to_string());
        s.set("a", "lower".to_string());
        assert_eq!((s.len(), s.is_empty()), (3, false));
        // Bytewise order: uppercase before lowercase.
        let keys: Vec<_> = s.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["Z", "a", "user-id"]);
        let back: Vec<_> = s.iter().rev().map(|(k, _)| k).collect();
        assert_eq!(back, ["user-id", "a", "Z"]);
        assert_eq!((&s).into_iter().len(), 3);
        // Values may be plaintext secrets: Debug shows how many are left.
        assert_eq!(format!("{:?}", s.iter()), "SessionIter { remaining: 3 }");
        assert_eq!(s.remove("a"), Some("lower".to_string()));
        assert_eq!(s.remove("a"), None);
        assert_eq!(s.get("user-id").map(String::as_str), Some("b"));
        assert_eq!(s.len(), 2);
        s.clear();
        assert!(s.is_empty());
        assert_eq!(s.name(), "my-app");
    }

    #[test]
    fn from_entries_sorts_and_keeps_the_last() {
        let s = Session::from_entries(
            "s",
            [
                ("b".to_string(), 1),
                ("a".to_string(), 2),
                ("b".to_string(), 3),
                ("c".to_string(), 4),
                ("b".to_string(), 5),
            ],
        );
        let all: Vec<_> = s.iter().collect();
        assert_eq!(all, [("a", &2), ("b", &5), ("c", &4)]);
        assert!(Session::<u8>::from_entries("s", []).is_empty());
    }

    #[test]
    fn set_and_remove_keep_the_order() {
        let mut s = Session::new("s");
        for (i, k) in ["m", "c", "x", "a", "p", "c", "z"].into_iter().enumerate() {
            s.set(k, i);
        }
        assert_eq!(s.remove("p"), Some(4));
        let keys: Vec<_> = s.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "c", "m", "x", "z"]);
        assert_eq!(s.get("c"), Some(&5));
        assert_eq!(s.get("b"), None);
    }

    #[test]
    fn debug_hides_values() {
        let mut s = Session::new("my-app");
        s.set("user-id", "secret-id".to_string());
        let text = format!("{s:?} {:?}", s.iter());
        assert!(text.contains("my-app") && text.contains("len: 1"));
        assert!(!text.contains("secret-id") && !text.contains("user-id"));
    }
}
