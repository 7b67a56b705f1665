# workerd's configuration for the comparison Worker: examples/worker's
# config with this folder's module (measure.sh copies the shim to build/).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8788", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "build/worker.mjs"),
    (name = "session.wasm", wasm = embed "build/session.wasm"),
  ],
  bindings = [
    (name = "SESSION_SECRET", fromEnvironment = "SESSION_SECRET"),
    (name = "INSECURE_COOKIES", fromEnvironment = "INSECURE_COOKIES"),
  ],
  compatibilityDate = "2025-11-01",
);
