fn main(){ let _ = securecookie::Keys::new(&[1;32], None); }
