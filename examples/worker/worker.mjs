// The JavaScript half of the Worker: routing and I/O. The sessions (the
// Cookie header read, cookies sealed and opened, Set-Cookie written) and
// the pages are the wasm module's (src/lib.rs, src/app.rs), which needs no
// allocator and no wasm-bindgen glue: this file is all the glue there is.
import sessionWasm from "./session.wasm";

const wasm = new WebAssembly.Instance(sessionWasm, {}).exports;
const ROUTES = { "GET /": 0, "POST /login": 1, "GET /welcome": 2, "POST /logout": 3 };
const HEAD_LEN = 8;
const enc = new TextEncoder();
const dec = new TextDecoder();
let keyed = false;

// A fresh view each time: a module that grows its memory detaches old ones.
function buffer() {
  return new Uint8Array(wasm.memory.buffer, wasm.buffer(), wasm.buffer_len());
}

// Keys are derived once per isolate, from the SESSION_SECRET secret.
function init(env) {
  if (keyed) return;
  const secret = enc.encode(env.SESSION_SECRET ?? "");
  const buf = buffer();
  if (secret.length > buf.length) throw new Error("SESSION_SECRET is too long");
  buf.set(secret);
  const r = wasm.init(secret.length);
  buffer().fill(0, 0, secret.length);
  if (r < 0) throw new Error(dec.decode(buffer().slice(0, -r)));
  keyed = true;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const route = ROUTES[`${request.method} ${url.pathname}`];
    if (route === undefined) return new Response("not found", { status: 404 });
    init(env);
    const cookie = enc.encode(request.headers.get("cookie") ?? "");
    const body = route === 1 ? enc.encode(await request.text()) : new Uint8Array(0);
    const iv = crypto.getRandomValues(new Uint8Array(16));
    const buf = buffer();
    if (cookie.length + body.length + iv.length > 12 * 1024) {
      return new Response("request too large", { status: 413 });
    }
    buf.set(cookie, 0);
    buf.set(body, cookie.length);
    buf.set(iv, cookie.length + body.length);
    const secure = env.INSECURE_COOKIES === "1" ? 0 : 1;
    const len = wasm.respond(route, cookie.length, body.length, BigInt(Math.floor(Date.now() / 1000)), secure);
    if (len < 0) throw new Error(`session module failed: ${len}`);
    const out = buffer().slice(0, len);
    const head = new DataView(out.buffer, 0, HEAD_LEN);
    const status = head.getUint16(0, true);
    const locationLen = head.getUint8(2);
    const html = head.getUint8(3) === 1;
    const setCookieLen = head.getUint16(4, true);
    let at = HEAD_LEN;
    const take = (n) => dec.decode(out.subarray(at, (at += n)));
    const headers = new Headers({ "content-type": html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8" });
    const location = take(locationLen);
    if (location) headers.set("location", location);
    const setCookie = take(setCookieLen);
    if (setCookie) headers.set("set-cookie", setCookie);
    return new Response(status === 303 ? null : out.subarray(at), { status, headers });
  },
};
