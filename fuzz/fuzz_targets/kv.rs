//! The kv reader on arbitrary bytes: nothing panics, and whatever
//! `kv::validate` accepts is canonical: `KvWriter` writes the same entries
//! back to the identical bytes, and `kv::get` finds each of them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securecookie::kv::{self, KvReader, KvWriter};

fuzz_target!(|data: &[u8]| {
    let entries: Vec<_> = KvReader::new(data).collect();
    // The reader yields at most one error, and it is the last item.
    let errors = entries.iter().filter(|e| e.is_err()).count();
    assert!(errors <= 1);
    if errors == 1 {
        assert!(entries.last().unwrap().is_err());
    }
    match kv::validate(data) {
        Ok(count) => {
            assert_eq!(errors, 0);
            assert_eq!(count, entries.len());
            let mut buf = vec![0u8; data.len()];
            let mut w = KvWriter::new(&mut buf);
            for entry in &entries {
                let (k, v) = entry.unwrap();
                w.push(k, v).expect("accepted entries re-encode");
                assert_eq!(kv::get(data, k), Ok(Some(v)));
            }
            assert_eq!(w.finish(), data, "accepted payload is not canonical");
        }
        Err(e) => assert_eq!(entries.last(), Some(&Err(e))),
    }
});
