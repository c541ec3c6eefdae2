#!/usr/bin/python3
"""SPEC §4 "Connections" against the real daemon on loopback (tests/connections/run.sh).

1. Departed clients: 2,000 uploads abandoned within a second (head and part of a body,
   then close), then 2,000 abandoned mid-head, then 60 large bodies sent whole and
   abandoned while their answers are computed. After each flood: the daemon's open fds
   are back to their baseline within 1 s and 0 of 200 normal requests get 503.
2. Deadlines: 100 clients trickling a head and 100 trickling a body (a byte per 0.5 s)
   are each cut with 408 by --header-timeout / --body-min-rate, while a legal slow head
   (pieces over 1 s) and a steady slow body (~1 KB/s for 22 s) are served, and normal
   requests meanwhile answer 200; fds return to their baseline.
3. Early answers reach clients that write their whole body first (Python's http.client):
   80 MB to /kl → 413, 16 MB to /nope → 404, to /healthz → 405, as text/plain → 415, and
   with an API key an unauthenticated 10 MB POST → 401.
Every loop is bounded in count and time and targets 127.0.0.1 only.
"""
import http.client
import json
import os
import resource
import select
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "abuse"))
from dvlib import Checks, Daemon, Reader, exchange, proc_fds, request_bytes  # noqa: E402

SMALL_KL = b'{"p": [0.5, 0.5], "q": [0.9, 0.1]}'


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def back_to_baseline(d, baseline, within):
    """(True, seconds) when the daemon's fds are ≤ baseline within `within` s."""
    t0 = time.time()
    while True:
        n = proc_fds(d.pid)
        if n <= baseline:
            return True, time.time() - t0, n
        if time.time() - t0 > within:
            return False, time.time() - t0, n
        time.sleep(0.02)


def normal_requests(d, n):
    """Statuses of n small /kl requests on fresh connections."""
    out = []
    for _ in range(n):
        try:
            out.append(exchange(d, "POST", "/kl", SMALL_KL, timeout=10)[0])
        except (OSError, EOFError):
            out.append(0)
    return out


def flood(d, n, payload, seconds=1.0):
    """Opens n connections within about `seconds`, sends payload on each, closes it."""
    t0 = time.time()
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", d.port), timeout=5)
        try:
            s.sendall(payload)
        except OSError:
            pass
        s.close()
        ahead = t0 + seconds * (i + 1) / n - time.time()
        if ahead > 0:
            time.sleep(ahead)
    return time.time() - t0


def departed(c, binary):
    d = Daemon(binary, "--log-level", "warn")
    time.sleep(0.3)
    base = proc_fds(d.pid)
    body_head = (b"POST /kl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 200000\r\n\r\n{\"p\": [" + b"0.25, " * 400)
    mid_head = b"POST /kl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"
    for name, payload in (("mid-body", body_head), ("mid-head", mid_head)):
        took = flood(d, 2000, payload)
        ok, secs, n = back_to_baseline(d, base, 1.0)
        c.ok(ok, "2000 uploads abandoned %s in %.2f s: fds back to %d within 1 s" % (
            name, took, base), "(still %d after %.2f s)" % (n, secs))
        st = normal_requests(d, 200)
        c.ok(st.count(200) == 200, "then 200 normal requests: all 200 (%d x 503)" % st.count(503),
             "statuses %s" % sorted(set(st)))
    # Large bodies sent whole and abandoned while the answer is computed (offloaded).
    n = 30000
    big = json.dumps({"p": [1.0] * n, "q": [2.0] * n, "normalize": True}).encode()
    msg = request_bytes("POST", "/kl", big)
    socks = []
    for _ in range(60):
        s = socket.create_connection(("127.0.0.1", d.port), timeout=10)
        s.sendall(msg)
        socks.append(s)
    for s in socks:
        s.close()
    ok, secs, left = back_to_baseline(d, base, 1.5)
    c.ok(ok, "60 large bodies abandoned while computed: fds back within 1.5 s (%.2f s)" % secs,
         "(still %d)" % left)
    st = normal_requests(d, 200)
    c.ok(st.count(200) == 200, "then 200 normal requests: all 200", "statuses %s" % sorted(set(st)))
    c.ok(d.stop() == 0, "daemon exits 0")


class Trickler:
    """Sends `data` one byte every `gap` seconds on its own socket; records the answer."""

    def __init__(self, d, data, gap=0.5):
        self.s = d.connect(timeout=60)
        self.s.setblocking(False)
        self.data = data
        self.gap = gap
        self.sent = 0
        self.next = time.time()
        self.answer = b""
        self.done = False
        self.t0 = time.time()
        self.t_end = None


def run_tricklers(tr, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline and not all(t.done for t in tr):
        now = time.time()
        for t in tr:
            if not t.done and now >= t.next and t.sent < len(t.data):
                try:
                    t.s.send(t.data[t.sent:t.sent + 1])
                    t.sent += 1
                except OSError:
                    pass
                t.next = now + t.gap
        r, _, _ = select.select([t.s for t in tr if not t.done], [], [], 0.05)
        for s in r:
            t = next(x for x in tr if x.s is s)
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if chunk:
                t.answer += chunk
            else:
                t.done = True
                t.t_end = time.time()
                s.close()
    for t in tr:
        if not t.done:
            t.s.close()


def slow_legal_head(d, results):
    s = d.connect(timeout=30)
    msg = request_bytes("POST", "/kl", SMALL_KL)
    parts = [msg[i:i + len(msg) // 10 + 1] for i in range(0, len(msg), len(msg) // 10 + 1)]
    for p in parts:
        s.sendall(p)
        time.sleep(0.1)
    try:
        results["head"] = Reader(s).response()[0]
    except (OSError, EOFError) as e:
        results["head"] = repr(e)
    s.close()


def slow_legal_body(d, results):
    n = 2000
    body = json.dumps({"p": [1] * n, "q": [2] * n, "normalize": True}).encode()
    body = body[:-1] + b" " * (22000 - len(body)) + b"}"
    s = d.connect(timeout=60)
    s.sendall(request_bytes("POST", "/kl", body)[:-len(body)])
    for i in range(0, len(body), 1000):  # ~1 KB/s for 22 s
        s.sendall(body[i:i + 1000])
        time.sleep(1.0)
    try:
        results["body"] = Reader(s).response()[0]
    except (OSError, EOFError) as e:
        results["body"] = repr(e)
    s.close()


def final_status(rd):
    """The status of the next final response (an interim 100 Continue is skipped)."""
    st = rd.response()[0]
    while st == 100:
        st = rd.response()[0]
    return st


def kept_alive_trickler(d, first):
    """A Trickler whose connection first carries the complete request `first` (answered
    200): its trickled head is the second on the connection, so its start must be told
    from the bytes of the first (the guard counts request sizes; chunked ones ask the
    kernel)."""
    t = Trickler(d, request_bytes("POST", "/kl", SMALL_KL)[:60])
    t.s.setblocking(True)
    t.s.sendall(first)
    t.first = final_status(Reader(t.s))
    t.s.setblocking(False)
    t.t0 = t.next = time.time()
    return t


def idle_keepalive(d, results, first, idle):
    """A complete request, `idle` seconds of silence (past --header-timeout), another."""
    s = d.connect(timeout=30)
    rd = Reader(s)
    try:
        s.sendall(first)
        a = final_status(rd)
        time.sleep(idle)
        s.sendall(request_bytes("GET", "/healthz"))
        results.append((a, rd.response()[0]))
    except (OSError, EOFError) as e:
        results.append(repr(e))
    s.close()


def chunked(method, path, body):
    return ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n%x\r\n" % (method, path, len(body))).encode() + \
        body + b"\r\n0\r\n\r\n"


def deadlines(c, binary):
    d = Daemon(binary, "--header-timeout", "3", "--log-level", "warn")
    time.sleep(0.3)
    base = proc_fds(d.pid)
    head = request_bytes("POST", "/kl", SMALL_KL)[:60]
    body_req = request_bytes("POST", "/kl", b'{"p": [0.5, 0.5], "q": [0.5, 0.5]}' + b" " * 200)
    split = body_req.index(b"\r\n\r\n") + 4
    heads = [Trickler(d, head) for _ in range(100)]
    bodies = []
    for _ in range(100):
        t = Trickler(d, body_req[split:])
        t.s.setblocking(True)
        t.s.sendall(body_req[:split])
        t.s.setblocking(False)
        bodies.append(t)
    firsts = [request_bytes("POST", "/kl", SMALL_KL), request_bytes("GET", "/healthz"),
              chunked("POST", "/kl", SMALL_KL),
              request_bytes("POST", "/kl", SMALL_KL, headers={"Expect": "100-continue"})]
    second_heads = [kept_alive_trickler(d, firsts[i % len(firsts)]) for i in range(20)]
    idle = []
    results = {}
    legal = [threading.Thread(target=slow_legal_head, args=(d, results)),
             threading.Thread(target=slow_legal_body, args=(d, results))]
    legal += [threading.Thread(target=idle_keepalive, args=(d, idle, f, 4.5)) for f in firsts]
    for th in legal:
        th.start()
    normal = []
    th_normal = threading.Thread(target=lambda: [normal.extend(normal_requests(d, 10)) or
                                                 time.sleep(1) for _ in range(5)])
    th_normal.start()
    run_tricklers(heads + bodies + second_heads, 30)
    for th in legal + [th_normal]:
        th.join(60)

    def cut_ok(t, lo, hi):
        if not t.answer.startswith(b"HTTP/1.1 408 "):
            return False
        problem = json.loads(t.answer.split(b"\r\n\r\n", 1)[1])
        return problem.get("code") == "request_timeout" and lo <= t.t_end - t.t0 <= hi

    c.ok(all(cut_ok(t, 2.9, 5.0) for t in heads),
         "100 trickled heads: each 408 request_timeout after --header-timeout 3 s",
         "%d of 100" % sum(cut_ok(t, 2.9, 5.0) for t in heads))
    c.ok(all(cut_ok(t, 19.9, 23.0) for t in bodies),
         "100 trickled bodies (2 B/s): each 408 after 20 s under --body-min-rate 500",
         "%d of 100; %r" % (sum(cut_ok(t, 19.9, 23.0) for t in bodies), bodies[0].answer[:120]))
    c.ok(all(t.first == 200 and cut_ok(t, 2.9, 5.0) for t in second_heads),
         "20 trickled heads after a complete request on the same connection (POST, GET, "
         "chunked, 100-continue): each 408 after 3 s",
         "%d of 20" % sum(t.first == 200 and cut_ok(t, 2.9, 5.0) for t in second_heads))
    c.ok(idle == [(200, 200)] * len(firsts),
         "4 connections idle 4.5 s after a request (past --header-timeout): no 408, the "
         "next request served", repr(idle))
    c.ok(results.get("head") == 200, "a legal head sent in pieces over 1 s is served",
         repr(results.get("head")))
    c.ok(results.get("body") == 200, "a steady body at ~1 KB/s for 22 s is served",
         repr(results.get("body")))
    c.ok(len(normal) == 50 and normal.count(200) == 50,
         "50 normal requests during the trickling: all 200", "statuses %s" % normal)
    ok, secs, n = back_to_baseline(d, base, 1.0)
    c.ok(ok, "fds back to baseline %d after the tricklers (%.2f s)" % (base, secs), "(%d)" % n)
    m = exchange(d, "GET", "/metrics")[2].decode()
    timeouts = sum(float(ln.split()[-1]) for ln in m.splitlines()
                   if ln.startswith("divergenced_errors_total{") and 'code="request_timeout"' in ln)
    c.ok(timeouts >= 220, "metrics count the 408s (errors_total request_timeout = %d)" % timeouts)
    c.ok(d.stop() == 0, "daemon exits 0")


def post_whole(port, path, size, ctype="application/json", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = {"Content-Type": ctype}
    h.update(headers or {})
    try:
        conn.request("POST", path, body=b"0" * size, headers=h)
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), json.loads(r.read()).get("code")
    except (OSError, ValueError, http.client.HTTPException) as e:
        return repr(e), None, None
    finally:
        conn.close()


def early_answers(c, binary, tmp):
    d = Daemon(binary, "--log-level", "warn")
    for path, size, ctype, want in (("/kl", 80 << 20, "application/json", (413, "payload_too_large")),
                                    ("/nope", 16 << 20, "application/json", (404, "not_found")),
                                    ("/healthz", 16 << 20, "application/json", (405, "method_not_allowed")),
                                    ("/kl", 16 << 20, "text/plain", (415, "unsupported_media_type"))):
        st, ct, code = post_whole(d.port, path, size, ctype)
        c.ok((st, code) == want and ct == "application/problem+json",
             "http.client POSTs %d MB to %s (%s): reads %d %s" % (size >> 20, path, ctype, *want),
             "got %r %r %r" % (st, ct, code))
    d.stop()
    key = os.path.join(tmp, "key")
    with open(key, "w") as f:
        f.write("s3cret-connections\n")
    os.chmod(key, 0o600)
    d = Daemon(binary, "--api-key-file", key, "--log-level", "warn")
    st, ct, code = post_whole(d.port, "/kl", 10 << 20)
    c.ok((st, code) == (401, "unauthorized"), "with an API key, an unauthenticated 10 MB POST reads 401",
         "got %r %r" % (st, code))
    c.ok(d.stop() == 0, "daemon exits 0")


def main():
    binary = sys.argv[1]
    tmp = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
    raise_fd_limit()
    c = Checks("connections")
    print("-- departed clients", flush=True)
    departed(c, binary)
    print("-- early answers to clients that write first", flush=True)
    early_answers(c, binary, tmp)
    print("-- deadlines (about 25 s)", flush=True)
    deadlines(c, binary)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
