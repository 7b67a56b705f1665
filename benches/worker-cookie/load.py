"""Drives one served Worker with the demo's flow over one keep-alive
connection and prints the server process's CPU seconds per request.

    python3 load.py PORT PID ROUNDS

Each round: login, welcome (takes the flash notice: a new cookie), welcome
(reads only), welcome with a flipped character (401, cookie cleared),
logout: 5 session requests; then 5 requests to a path the shim answers 404
without the module (the runtime's own cost, to subtract). Bounded: ROUNDS
rounds on 127.0.0.1, no retries.
"""
import http.client
import os
import sys

port, pid, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
tick = os.sysconf("SC_CLK_TCK")


def cpu():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick  # utime + stime


conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def send(method, path, cookie=None, body=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    if cookie:
        headers["Cookie"] = cookie
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    r.read()
    sc = r.getheader("Set-Cookie") or ""
    return r.status, sc.split(";", 1)[0]


def flow():
    status, c = send("POST", "/login", body="user-id=a1b2c3")
    assert status == 303 and c.startswith("my-app="), (status, c)
    status, c2 = send("GET", "/welcome", cookie=c)
    assert status == 200 and c2, status
    assert send("GET", "/welcome", cookie=c2)[0] == 200
    i = len(c2) // 2
    bad = c2[:i] + ("B" if c2[i] == "A" else "A") + c2[i + 1 :]
    assert send("GET", "/welcome", cookie=bad)[0] == 401
    assert send("POST", "/logout", cookie=c2)[0] == 303


def noop():
    for _ in range(5):
        assert send("GET", "/nothing-here")[0] == 404


for _ in range(50):  # warm up the isolate and the JIT
    flow()
    noop()
t0 = cpu()
for _ in range(rounds):
    flow()
t1 = cpu()
for _ in range(rounds):
    noop()
t2 = cpu()
n = 5 * rounds
print(f"{(t1 - t0) / n * 1e6:.1f} {(t2 - t1) / n * 1e6:.1f}")
