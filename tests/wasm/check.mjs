// Drives the wasm module from Node, with nothing but WebAssembly and the
// exchange buffer (see lib.rs).
//
//   node check.mjs <module.wasm> <now> '<json: [{format, name, cookie, payload_hex}]>'
//
// Decodes each native cookie in wasm and checks its payload (and that a
// tampered copy fails), then encodes each payload in wasm with a fresh IV
// and prints the new cookies as JSON for the native side to decode.
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";

const [wasmPath, nowArg, casesJson] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const wasm = instance.exports;
const now = BigInt(nowArg);
const view = () => new Uint8Array(wasm.memory.buffer, wasm.buffer(), wasm.buffer_len());
const enc = new TextEncoder();
const hex = (b) => Buffer.from(b).toString("hex");

function put(...parts) {
  const buf = view();
  let at = 0;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
}

function decode(format, name, cookie) {
  const n = enc.encode(name), c = enc.encode(cookie);
  put(n, c);
  const len = wasm.decode(n.length, c.length, now, format === "gorilla" ? 1 : 0);
  return len < 0 ? len : view().slice(0, len);
}

function encode(format, name, payload) {
  const n = enc.encode(name), iv = webcrypto.getRandomValues(new Uint8Array(16));
  put(n, payload, iv);
  const len = wasm.encode(n.length, payload.length, now, format === "gorilla" ? 1 : 0);
  if (len < 0) throw new Error(`wasm encode failed: ${len}`);
  return new TextDecoder().decode(view().slice(0, len));
}

const made = [];
for (const c of JSON.parse(casesJson)) {
  const got = decode(c.format, c.name, c.cookie);
  if (typeof got === "number" || hex(got) !== c.payload_hex) {
    console.error(`wasm failed to decode the native ${c.format} cookie: ${got}`);
    process.exit(1);
  }
  const i = c.cookie.length >> 1;
  const tampered = c.cookie.slice(0, i) + (c.cookie[i] === "A" ? "B" : "A") + c.cookie.slice(i + 1);
  if (decode(c.format, c.name, tampered) !== -2) {
    console.error(`wasm accepted a tampered ${c.format} cookie`);
    process.exit(1);
  }
  const payload = Buffer.from(c.payload_hex, "hex");
  made.push({ ...c, cookie: encode(c.format, c.name, payload) });
}
console.log(JSON.stringify(made));
