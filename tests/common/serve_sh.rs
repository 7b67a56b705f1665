//! Runs an example's `serve.sh PORT` (examples/worker, examples/firmware)
//! on a free loopback port and stops it when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A served example; killed (with what it started) on drop.
pub struct Served {
    pub addr: SocketAddr,
    child: Child,
    log: std::path::PathBuf,
}

impl Served {
    /// `SESSION_SECRET=secret <script> PORT`, waiting up to `startup` for the
    /// port to accept (the script builds first). Panics with the script's
    /// output when it exits or never listens: a missing runtime fails the
    /// test, it does not skip it.
    pub fn start(script: &str, secret: &str, startup: Duration) -> Served {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0").expect("a free port");
            probe.local_addr().unwrap().port()
        };
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let log = std::env::temp_dir().join(format!(
            "securecookie-{}-{port}.log",
            script.replace('/', "-")
        ));
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new(root.join(script))
            .arg(port.to_string())
            .env("SESSION_SECRET", secret)
            .env_remove("INSECURE_COOKIES")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            // Its own process group, so that drop stops the build or the
            // server the script started, whichever runs.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
        let mut served = Served { addr, child, log };
        let deadline = Instant::now() + startup;
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return served;
            }
            if let Ok(Some(status)) = served.child.try_wait() {
                panic!(
                    "{script} exited ({status}) before listening:\n{}",
                    served.output()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "{script} did not listen on {addr} within {startup:?}:\n{}",
                    served.output()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What the script printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        // The whole group: the script and the server it exec'd or started.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}
