#!/usr/bin/env python3
"""Prints the README's benchmark table from criterion's output.

Reads benches/target/criterion/*/new/{benchmark,estimates}.json (written
by `cargo bench --manifest-path benches/Cargo.toml --bench cookies`; benches/
is its own workspace) and prints, as Markdown:
  - our envelopes against the primitives' floor (encode and decode per case);
  - roundtrips against the `cookie` crate and the Store API;
  - the goals of issue 5, each met or missed;
  - every absolute time (criterion's mean point estimate).

Usage: python3 benches/report.py [benches/target/criterion]
Standard library only.
"""

import json
import os
import sys

CASES = ["typical", "1k", "max"]
# The median resists the bursts of load a shared machine adds to some samples.
STAT = os.environ.get("STAT", "median")


def load(root):
    """{(op, impl, case): mean ns} for every estimates.json under root."""
    times = {}
    for dirpath, _, files in os.walk(root):
        if "estimates.json" not in files or os.path.basename(dirpath) != "new":
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            parts = json.load(f)["full_id"].split("/")
        if len(parts) != 3:
            continue
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)
        times[tuple(parts)] = est[STAT]["point_estimate"]
    return times


def fmt_time(ns):
    if ns is None:
        return "n/a"
    if ns >= 1000:
        return f"{ns / 1000:.2f} µs"
    return f"{ns:.0f} ns"


def ratio(t, a, b):
    """a / b as 'x.xx', or None when either is missing."""
    if a not in t or b not in t:
        return None
    return t[a] / t[b]


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.2f}x"


def main():
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "target", "criterion")
    root = sys.argv[1] if len(sys.argv) > 1 else default
    t = load(root)
    if not t:
        sys.exit(f"no criterion estimates under {root}: run `cargo bench --manifest-path benches/Cargo.toml --bench cookies` first")

    goals = []

    print("### Against the floor (time / floor time; 1.00x is the floor)\n")
    print("| op | case | compact / floor-compact | gorilla / floor-gorilla |")
    print("| --- | --- | --- | --- |")
    for op in ["encode", "decode"]:
        for case in CASES:
            rc = ratio(t, (op, "compact", case), (op, "floor-compact", case))
            rg = ratio(t, (op, "gorilla", case), (op, "floor-gorilla", case))
            print(f"| {op} | {case} | {fmt_ratio(rc)} | {fmt_ratio(rg)} |")
            goals.append((f"{op}/compact/{case} within 1.10x of floor", rc, rc is not None and rc <= 1.10))
            goals.append((f"{op}/gorilla/{case} within 1.10x of floor", rg, rg is not None and rg <= 1.10))

    print("\n### Roundtrips (encode then decode)\n")
    print("`compact` brings its IV (the core API); `compact-osiv` draws it from the std pool")
    print("(`Iv::random`), as the `cookie` crate draws its nonce on every add; `compact-osrng`")
    print("is `encode_now` + `decode_now` (the pool and the clock on both sides), the same")
    print("IV source and clock the store uses: `store / compact-osrng` is the store's own cost.\n")
    print("| case | cookie-private / compact | cookie-private / compact-osiv | cookie-signed / compact-signed | store / compact | store / compact-osrng |")
    print("| --- | --- | --- | --- | --- | --- |")
    for case in CASES:
        rp = ratio(t, ("roundtrip", "cookie-private", case), ("roundtrip", "compact", case))
        ro = ratio(t, ("roundtrip", "cookie-private", case), ("roundtrip", "compact-osiv", case))
        rs = ratio(t, ("roundtrip", "cookie-signed", case), ("roundtrip", "compact-signed", case))
        rst = ratio(t, ("roundtrip", "store", case), ("roundtrip", "compact", case))
        rsr = ratio(t, ("roundtrip", "store", case), ("roundtrip", "compact-osrng", case))
        print(f"| {case} | {fmt_ratio(rp)} | {fmt_ratio(ro)} | {fmt_ratio(rs)} | {fmt_ratio(rst)} | {fmt_ratio(rsr)} |")
        if case == "typical":
            goals.append(("compact roundtrip (typical) >= 1.6x faster than cookie-private", rp, rp is not None and rp >= 1.6))
            goals.append(("  the same with the std IV pool (compact-osiv)", ro, ro is not None and ro >= 1.6))
            goals.append(("store roundtrip (typical) within 1.3x of compact", rst, rst is not None and rst <= 1.3))
            goals.append(("  the same against compact-osrng (same IV source and clock)", rsr, rsr is not None and rsr <= 1.3))

    print("\n### Goals (issue 5)\n")
    print("| goal | ratio | met |")
    print("| --- | --- | --- |")
    for name, r, ok in goals:
        print(f"| {name} | {fmt_ratio(r)} | {'yes' if ok else ('no' if r is not None else 'not measured')} |")

    impls = sorted({k[1] for k in t if k[0] in ("encode", "decode", "roundtrip")})
    print("\n### Absolute times (criterion median; one run, one shared 2-core machine)\n")
    print("| impl | case | encode | decode | roundtrip |")
    print("| --- | --- | --- | --- | --- |")
    for impl in impls:
        for case in CASES:
            row = [t.get((op, impl, case)) for op in ("encode", "decode", "roundtrip")]
            if any(x is not None for x in row):
                print(f"| {impl} | {case} | " + " | ".join(fmt_time(x) for x in row) + " |")

    others = sorted(k for k in t if k[0] not in ("encode", "decode", "roundtrip"))
    if others:
        print("\n### Parts\n")
        print("| id | time |")
        print("| --- | --- |")
        for k in others:
            print(f"| {'/'.join(k)} | {fmt_time(t[k])} |")
        for case in ["compact-typical", "gorilla-typical", "4096"]:
            r = ratio(t, ("b64-decode", "base64ct", case), ("b64-decode", "own", case))
            if r is not None:
                print(f"\nbase64ct decode / own decode, {case}: {fmt_ratio(r)}", end="")
        print()


if __name__ == "__main__":
    main()
