//! The same server for `thumbv7em-none-eabihf` (Cortex-M4F), as a firmware
//! links it: picoserve, the demo's routes and securecookie's core, with no
//! allocator and no static RAM. What `tests/embedded/sizes.sh --all`
//! measures.
//!
//! The network stack is the chip's (embassy-net over its Ethernet or Wi-Fi
//! driver, whose socket picoserve serves as it serves tokio's): it is not
//! linked here, so that the figure is the server's and the sessions', not a
//! driver's. In its place, [`Wire`] serves one request from flash and
//! swallows the response, and a ten-line executor polls the server.
#![cfg_attr(target_os = "none", no_std, no_main)]
// `no_mangle` on the entry point is the one attribute that needs
// `unsafe(...)`: it claims the global symbol `_start`.
#![deny(unsafe_code)]

#[cfg(target_os = "none")]
mod chip {
    use core::future::Future;
    use core::hint::black_box;
    use core::pin::pin;
    use core::task::{Context, Poll, Waker};

    use picoserve::io::{ErrorKind, ErrorType, Read, Socket, Write};
    use picoserve::time::{Duration, TimeoutError, Timer};
    use securecookie_firmware::securecookie::{Codec, Secret};
    use securecookie_firmware::{Sessions, router};

    /// What the "network" delivers: a login.
    const REQUEST: &[u8] = b"POST /login HTTP/1.1\r\nHost: device\r\n\
        Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\n\r\n\
        user-id=a1b2c3";

    /// A connection whose bytes come from flash and go nowhere.
    struct Wire {
        at: usize,
    }

    /// Nothing fails here; embedded-io's own error kind does for the type.
    type WireError = ErrorKind;

    impl ErrorType for Wire {
        type Error = WireError;
    }

    impl Read for Wire {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, WireError> {
            let rest = black_box(REQUEST).get(self.at..).unwrap_or_default();
            let n = rest.len().min(buf.len());
            buf[..n].copy_from_slice(&rest[..n]);
            self.at += n;
            Ok(n)
        }
    }

    struct Halves<'a>(&'a mut Wire);

    impl ErrorType for Halves<'_> {
        type Error = WireError;
    }

    impl Read for Halves<'_> {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, WireError> {
            self.0.read(buf).await
        }
    }

    struct Sink;

    impl ErrorType for Sink {
        type Error = WireError;
    }

    impl Write for Sink {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, WireError> {
            black_box(buf);
            Ok(buf.len())
        }

        async fn flush(&mut self) -> Result<(), WireError> {
            Ok(())
        }
    }

    /// The chip's runtime, as far as picoserve is concerned.
    struct Chip;

    impl Socket<Chip> for Wire {
        type Error = WireError;
        type ReadHalf<'a> = Halves<'a>;
        type WriteHalf<'a> = Sink;

        fn split(&mut self) -> (Halves<'_>, Sink) {
            (Halves(self), Sink)
        }

        async fn abort<T: Timer<Chip>>(
            self,
            _: &picoserve::Timeouts,
            _: &mut T,
        ) -> Result<(), picoserve::Error<WireError>> {
            Ok(())
        }

        async fn shutdown<T: Timer<Chip>>(
            self,
            _: &picoserve::Timeouts,
            _: &mut T,
        ) -> Result<(), picoserve::Error<WireError>> {
            Ok(())
        }
    }

    /// No timeouts: a real firmware uses embassy-time's timer here.
    struct NoTimer;

    impl Timer<Chip> for NoTimer {
        async fn delay(&self, _: Duration) {
            core::future::pending().await
        }

        async fn run_with_timeout<F: Future>(
            &self,
            _: Duration,
            future: F,
        ) -> Result<F::Output, TimeoutError> {
            Ok(future.await)
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    fn clock() -> u64 {
        // An RTC register on a real chip.
        black_box(1_800_000_000)
    }

    fn fill_iv(iv: &mut [u8; 16]) {
        // The chip's RNG peripheral on a real one.
        iv.fill(black_box(0x5a));
    }

    pub fn serve_one() -> bool {
        // Provisioned per device in a real one (a flash page, an OTP area).
        let Ok(secret) = Secret::parse(black_box(
            "4242424242424242424242424242424242424242424242424242424242424242",
        )) else {
            return false;
        };
        let sessions = Sessions {
            codec: Codec::new(secret.keys()).max_age(securecookie_edge_app::MAX_AGE),
            clock,
            fill_iv,
            secure: true,
        };
        let app = router().with_state(sessions);
        let config = picoserve::Config::const_default();
        let mut buffer = [0u8; 5 * 1024];
        block_on(
            picoserve::Server::custom(&app, NoTimer, &config, &mut buffer).serve(Wire { at: 0 }),
        )
        .is_ok()
    }

    #[allow(unsafe_code)]
    #[unsafe(no_mangle)]
    pub extern "C" fn _start() -> ! {
        black_box(serve_one());
        loop {
            core::hint::spin_loop();
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        loop {
            core::hint::spin_loop();
        }
    }
}

/// On the host this program is empty: src/bin/host.rs is the host's server.
#[cfg(not(target_os = "none"))]
fn main() {}
