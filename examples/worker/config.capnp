# workerd's configuration for the example Worker (serve.sh runs
# `workerd serve config.capnp --socket-addr http=127.0.0.1:PORT`).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "session.wasm", wasm = embed "build/session.wasm"),
  ],
  bindings = [
    # On Cloudflare: `wrangler secret put SESSION_SECRET`. Here: the
    # environment of workerd's process.
    (name = "SESSION_SECRET", fromEnvironment = "SESSION_SECRET"),
    (name = "INSECURE_COOKIES", fromEnvironment = "INSECURE_COOKIES"),
  ],
  compatibilityDate = "2025-11-01",
);
