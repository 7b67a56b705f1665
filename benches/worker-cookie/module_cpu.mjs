// The session work alone, without the runtime: both Workers' wasm modules
// in Node, driven through the same exports worker.mjs uses, over the demo's
// flow (login, welcome taking the notice, welcome, flipped character,
// logout). Prints CPU microseconds per request (process.cpuUsage) for each.
//
//   node module_cpu.mjs OURS.wasm JAR.wasm ROUNDS
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";

const [ours, jar, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const enc = new TextEncoder(), dec = new TextDecoder();
const SECRET = "hex:4242424242424242424242424242424242424242424242424242424242424242";

function load(path) {
  const w = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports;
  const buf = () => new Uint8Array(w.memory.buffer, w.buffer(), w.buffer_len());
  const s = enc.encode(SECRET);
  buf().set(s);
  if (w.init(s.length) < 0) throw new Error("init");
  const now = BigInt(Math.floor(Date.now() / 1000));
  return (route, cookie, body) => {
    const c = enc.encode(cookie), b = enc.encode(body);
    const b0 = buf();
    b0.set(c, 0);
    b0.set(b, c.length);
    b0.set(webcrypto.getRandomValues(new Uint8Array(16)), c.length + b.length);
    const len = w.respond(route, c.length, b.length, now, 1);
    const out = buf().slice(0, len);
    const v = new DataView(out.buffer);
    const status = v.getUint16(0, true), loc = v.getUint8(2), sc = v.getUint16(4, true);
    const line = dec.decode(out.subarray(8 + loc, 8 + loc + sc));
    return [status, line.split(";")[0]];
  };
}

function flow(call) {
  const [s1, c1] = call(1, "", "user-id=a1b2c3");
  const [s2, c2] = call(2, c1, "");
  const [s3] = call(2, c2, "");
  const i = c2.length >> 1;
  const [s4] = call(2, c2.slice(0, i) + (c2[i] === "A" ? "B" : "A") + c2.slice(i + 1), "");
  const [s5] = call(3, c2, "");
  if ([s1, s2, s3, s4, s5].join() !== "303,200,200,401,303") throw new Error(`flow: ${[s1, s2, s3, s4, s5]}`);
}

for (const [name, path] of [["ours", ours], ["jar", jar]]) {
  const call = load(path);
  for (let i = 0; i < 500; i++) flow(call);
  const t = process.cpuUsage();
  for (let i = 0; i < rounds; i++) flow(call);
  const d = process.cpuUsage(t);
  console.log(`${name} ${((d.user + d.system) / (5 * rounds)).toFixed(2)}`);
}
