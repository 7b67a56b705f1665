//! A forked child must not repeat its parent's IVs: it inherits the
//! parent's per-thread IV pool, which the pool notices (a `pthread_atfork`
//! counter) and draws again. Without that, the child's next IV would be
//! exactly the parent's next one: AES-CTR's keystream reused under one key.

#![cfg(unix)]

use fork::{Fork, fork, waitpid};
use securecookie::{CookieConfig, CookieStore, Iv, Keys};

/// A cookie sealed under a fresh IV and otherwise fixed inputs: two lines
/// differ exactly when their IVs do.
fn sealed_with_fresh_iv(store: &CookieStore<String>) -> String {
    store
        .seal_at("s", b"same".to_vec(), 1_700_000_000, Iv::random().unwrap())
        .unwrap()
}

#[test]
fn a_forked_child_draws_other_ivs_than_its_parent() {
    let keys = Keys::new(&[7; 32], Some(&[9; 32])).unwrap();
    let store = CookieStore::<String>::new(CookieConfig::default(), [keys]).unwrap();
    // Fills this thread's pool: the next IVs are already in memory.
    sealed_with_fresh_iv(&store);
    let out = std::env::temp_dir().join(format!("securecookie-fork-{}", std::process::id()));
    match fork().unwrap() {
        Fork::Child => {
            let code = match std::fs::write(&out, sealed_with_fresh_iv(&store)) {
                Ok(()) => 0,
                Err(_) => 1,
            };
            std::process::exit(code);
        }
        Fork::Parent(child) => {
            assert_eq!(waitpid(child).unwrap(), 0, "the child drew and wrote an IV");
            let parent = sealed_with_fresh_iv(&store);
            let child = std::fs::read_to_string(&out).unwrap();
            let _ = std::fs::remove_file(&out);
            assert!(child.starts_with("s="), "{child}");
            assert_ne!(child, parent, "the child repeated the parent's next IV");
        }
    }
}
