#!/usr/bin/env python3
"""Abuse resistance of divergenced over raw loopback sockets (tests/abuse/run.sh).

  slow clients      headers or body dribbled, then stalled: cut at --timeout (2 s) while
                    other requests keep being served (no thread held per connection)
  connection limit  over --max-connections: 503 unavailable (Connection: close) or refused,
                    while the connections within the limit are served
  oversized         a header or request line over the 32 KiB connection buffer: 4xx and
                    closed, daemon fine; an 8 KiB header (big cookies, tokens) still served
  Content-Length    over --max-body: 413 before a body byte is sent
  chunked           a chunked body over --max-body: 413; a small one: 200
  pipelining        several requests in one write: answered in order, each correct;
                    keep-alive: many requests on one connection

Usage: abuse.py BIN. Every daemon listens on 127.0.0.1 only; everything is time-bounded.
"""
import json
import math
import socket
import sys
import threading
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from dvlib import Checks, Daemon, Reader, exchange, request_bytes  # noqa: E402

KL_BODY = '{"p": [0.5, 0.5], "q": [0.9, 0.1]}'
KL_WANT = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)


def kl_ok(status, body):
    if status != 200:
        return False
    return abs(json.loads(body)["kl"] - KL_WANT) < 1e-12


def healthy(d):
    try:
        st, _, body = exchange(d, "GET", "/healthz", timeout=5)
        return st == 200 and json.loads(body)["status"] == "ok"
    except OSError:
        return False


def time_to_close(sock, limit):
    """Seconds until the daemon closes sock (EOF or reset), or None within limit."""
    t0 = time.time()
    sock.settimeout(limit)
    try:
        while True:
            if not sock.recv(4096):
                return time.time() - t0
    except (ConnectionResetError, BrokenPipeError):
        return time.time() - t0
    except socket.timeout:
        return None


def slow_clients(c, d):
    print("slow clients (--timeout 2)")
    # Headers stalled half-way.
    s = d.connect()
    s.sendall(b"POST /kl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-")
    t = time_to_close(s, 8)
    s.close()
    c.ok(t is not None and 1.0 <= t <= 5.0, "stalled headers cut at the timeout", "after %r s" % t)
    # Body stalled half-way.
    s = d.connect()
    s.sendall(request_bytes("POST", "/kl", KL_BODY)[:-10])
    t = time_to_close(s, 8)
    s.close()
    c.ok(t is not None and 1.0 <= t <= 5.0, "stalled body cut at the timeout", "after %r s" % t)
    # A byte at a time with pauses longer than the timeout: cut at the first pause.
    s = d.connect()
    req = request_bytes("POST", "/kl", KL_BODY)
    t0 = time.time()
    cut = None
    for i, b in enumerate(req[:6]):
        try:
            s.sendall(bytes([b]))
        except OSError:
            cut = time.time() - t0
            break
        t = time_to_close(s, 2.8)
        if t is not None:
            cut = time.time() - t0
            break
    s.close()
    c.ok(cut is not None and cut <= 5.0, "a byte every 2.8 s is cut at the first pause",
         "cut at %r" % cut)

    # Many dribblers (a byte every 0.5 s, faster than the timeout) hold connections, not
    # threads: requests keep being answered promptly meanwhile.
    stop = threading.Event()
    held = []

    def dribble(k):
        try:
            s = d.connect()
        except OSError:
            return
        req = request_bytes("POST", "/kl", KL_BODY)
        t0 = time.time()
        i = 0
        try:
            while not stop.is_set() and i < len(req):
                s.sendall(req[i:i + 1])
                i += 1
                stop.wait(0.5)
        except OSError:
            pass
        held.append((k, time.time() - t0, i))
        s.close()

    ths = [threading.Thread(target=dribble, args=(k,)) for k in range(12)]
    for th in ths:
        th.start()
    time.sleep(1.0)
    worst = 0.0
    served = 0
    for _ in range(20):
        t0 = time.time()
        st, _, body = exchange(d, "POST", "/kl", KL_BODY, timeout=5)
        worst = max(worst, time.time() - t0)
        served += kl_ok(st, body)
        time.sleep(0.1)
    stop.set()
    for th in ths:
        th.join(10)
    c.ok(served == 20 and worst < 1.0,
         "20 requests served while 12 clients dribble (2 threads)",
         "served %d, slowest %.3f s" % (served, worst))
    print("  info: a dribble faster than --timeout (idle timeout) is not cut; the 12 "
          "dribblers were held %.1f s each at most" % max(h[1] for h in held))


def connection_limit(c, binary):
    print("connection limit (--max-connections 8)")
    d = Daemon(binary, "--max-connections", "8", "--threads", "2", "--timeout", "10")
    try:
        idle = [d.connect() for _ in range(8)]
        time.sleep(0.3)
        surplus = {"503": 0, "refused": 0, "other": 0}
        for _ in range(6):
            try:
                s = d.connect()
                s.sendall(request_bytes("GET", "/healthz"))
                r = Reader(s)
                st, h, body = r.response()
                if st == 503 and json.loads(body)["code"] == "unavailable" and \
                        h.get("connection", "").lower() == "close":
                    surplus["503"] += 1
                else:
                    surplus["other"] += 1
                r.closed(3)
                s.close()
            except (EOFError, ConnectionResetError, ConnectionRefusedError, BrokenPipeError):
                surplus["refused"] += 1
        c.ok(surplus["other"] == 0 and surplus["503"] + surplus["refused"] == 6,
             "6 clients over the limit: 503 unavailable + Connection: close, or refused",
             repr(surplus))
        time.sleep(0.3)
        ok = 0
        for s in idle:
            s.sendall(request_bytes("POST", "/kl", KL_BODY))
            st, _, body = Reader(s).response()
            ok += kl_ok(st, body)
        c.ok(ok == 8, "the 8 connections within the limit are served", "%d of 8" % ok)
        for s in idle:
            s.close()

        # A burst far over the limit (and over libmicrohttpd's own, 8 + 64): every client
        # gets an answer or a refusal, nothing hangs, the daemon stays up.
        results = {"200": 0, "503": 0, "refused": 0, "other": 0}
        lock = threading.Lock()
        socks = []
        for _ in range(100):
            try:
                socks.append(d.connect(timeout=5))
            except OSError:
                with lock:
                    results["refused"] += 1

        def use(s):
            key = "other"
            try:
                s.sendall(request_bytes("POST", "/kl", KL_BODY))
                st, _, body = Reader(s).response()
                key = "200" if kl_ok(st, body) else "503" if st == 503 else "other"
            except (EOFError, OSError):
                key = "refused"
            finally:
                s.close()
            with lock:
                results[key] += 1

        ths = [threading.Thread(target=use, args=(s,)) for s in socks]
        for th in ths:
            th.start()
        for th in ths:
            th.join(20)
        c.ok(results["other"] == 0 and sum(results.values()) == 100 and results["200"] >= 1,
             "a burst of 100 held connections: each served, 503 or refused", repr(results))
        time.sleep(0.5)
        c.ok(healthy(d), "the daemon serves normally after the burst")
    finally:
        c.ok(d.stop() == 0, "SIGTERM: exit 0")


def oversized(c, d):
    print("oversized headers and request lines")
    for what, req in [
        # Over the daemon's per-connection buffer (libmicrohttpd's memory limit, 32 KiB).
        ("a 256 KiB header", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
         b"a" * 262144 + b"\r\n\r\n"),
        ("20000 small headers", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
         b"".join(b"X-H%d: v\r\n" % i for i in range(20000)) + b"\r\n"),
        ("a 256 KiB request line", b"GET /" + b"a" * 262144 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ]:
        s = d.connect()
        status = None
        try:
            s.sendall(req)
        except OSError:
            pass
        r = Reader(s)
        try:
            status = r.response()[0]
        except (EOFError, OSError):
            status = "closed"
        closed = status == "closed" or r.closed(5)
        s.close()
        c.ok((status == "closed" or 400 <= status < 500) and closed,
             "%s: refused (%s) and closed" % (what, status))
    c.ok(healthy(d), "the daemon is fine afterwards")
    s = d.connect()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + b"a" * 8192 +
              b"\r\n\r\n")
    try:
        status = Reader(s).response()[0]
    except (EOFError, OSError):
        status = "closed"
    s.close()
    c.ok(status == 200, "an 8 KiB header is within the buffer: 200 (%s)" % status)


def body_limits(c, d):
    print("body limits (--max-body 4096)")
    s = d.connect()
    head = ("POST /kl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 100000\r\n\r\n").encode()
    s.sendall(head)
    t0 = time.time()
    r = Reader(s)
    s.settimeout(1.5)  # well under --timeout: the answer must not wait for the body
    try:
        st, h, body = r.response()
        code = json.loads(body).get("code")
    except (EOFError, OSError) as e:
        st, code = repr(e), None
    c.ok(st == 413 and code == "payload_too_large",
         "Content-Length 100000 > --max-body: 413 before any body byte",
         "%r %r after %.2f s" % (st, code, time.time() - t0))
    s.close()

    def chunked(chunks):
        s = d.connect()
        s.sendall(b"POST /kl HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        try:
            for ch in chunks:
                s.sendall(b"%x\r\n%s\r\n" % (len(ch), ch))
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        try:
            return Reader(s).response()
        except (EOFError, OSError) as e:
            return repr(e), {}, b""
        finally:
            s.close()

    big = b'{"p": [' + b",".join([b"0.25"] * 1200) + b'], "q": [0.5, 0.5]}'
    st, _, body = chunked([big[i:i + 1000] for i in range(0, len(big), 1000)])
    c.ok(st == 413 and json.loads(body)["code"] == "payload_too_large",
         "a chunked body of %d bytes > --max-body: 413" % len(big), repr(st))
    body_b = KL_BODY.encode()
    st, _, body = chunked([body_b[:10], body_b[10:20], body_b[20:]])
    c.ok(kl_ok(st, body), "a small chunked body: 200 with the right KL", repr(st))
    c.ok(healthy(d), "the daemon is fine afterwards")


def pipelining(c, d):
    print("pipelining and keep-alive")
    reqs = [
        (request_bytes("POST", "/kl", KL_BODY), lambda st, b: kl_ok(st, b)),
        (request_bytes("GET", "/healthz"), lambda st, b: st == 200 and json.loads(b)["status"] == "ok"),
        (request_bytes("POST", "/entropy", '{"p": [0.5, 0.5], "base": 2}'),
         lambda st, b: st == 200 and abs(json.loads(b)["entropy"] - 1.0) < 1e-15),
        (request_bytes("POST", "/kl", '{"p": [0.5, 0.5]}'),
         lambda st, b: st == 422 and json.loads(b)["code"] == "missing_member"),
        (request_bytes("POST", "/js", '{"p": [1, 0], "q": [0, 1]}'),
         lambda st, b: st == 200 and abs(json.loads(b)["js"] - math.log(2)) < 1e-15),
        (request_bytes("POST", "/kl", KL_BODY), lambda st, b: kl_ok(st, b)),
    ]
    s = d.connect()
    s.sendall(b"".join(r for r, _ in reqs))
    r = Reader(s)
    good = 0
    for i, (_, check) in enumerate(reqs):
        try:
            st, _, body = r.response()
        except (EOFError, OSError):
            break
        good += bool(check(st, body))
    s.close()
    c.ok(good == len(reqs), "%d pipelined requests in one write: answered in order" % len(reqs),
         "%d right" % good)
    # Answers decided from the headers alone (404, 405, 415, OPTIONS) are sent before
    # the request is complete; libmicrohttpd then closes. That must be announced, so a
    # pipelining client knows to resend what follows.
    for what, req in [("404", request_bytes("GET", "/nope")),
                      ("405", request_bytes("POST", "/healthz", "{}")),
                      ("OPTIONS", request_bytes("OPTIONS", "/kl"))]:
        s = d.connect()
        s.sendall(req + request_bytes("GET", "/healthz"))
        r = Reader(s)
        st, h, _ = r.response()
        try:
            nxt = r.response()[0]
        except (EOFError, OSError):
            nxt = None
        s.close()
        c.ok(nxt == 200 or (nxt is None and h.get("connection", "").lower() == "close"),
             "%s then a pipelined request: answered, or Connection: close before closing"
             % what, "status %s, connection %r, next %r" % (st, h.get("connection"), nxt))
        if nxt is None:
            print("  info: the %s answer closes the connection (keep-alive lost)" % what)
    s = d.connect()
    r = Reader(s)
    good = 0
    for i in range(50):
        if i % 2:
            s.sendall(request_bytes("POST", "/entropy", '{"p": [%d, 1], "normalize": true}' % (i + 1)))
            st, _, body = r.response()
            p = (i + 1) / (i + 2)
            want = -(p * math.log(p) + (1 - p) * math.log(1 - p))
            good += st == 200 and abs(json.loads(body)["entropy"] - want) < 1e-12
        else:
            s.sendall(request_bytes("POST", "/kl", KL_BODY))
            st, _, body = r.response()
            good += kl_ok(st, body)
    s.close()
    c.ok(good == 50, "50 requests on one keep-alive connection", "%d right" % good)


def utf8_bodies(c, d):
    """Problem bodies must be UTF-8 JSON even when the request carries raw bytes."""
    print("raw bytes echoed in problem details")
    strict = __import__("os").environ.get("ABUSE_TOLERATE_UTF8") != "1"  # fixed in 0f9b2ba
    for what, req in [
        ("404 for /%FF%FE", b"GET /%FF%FE HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("415 for Content-Type text/\\xff", b"POST /kl HTTP/1.1\r\nHost: x\r\n"
         b"Content-Type: text/\xff\xfe\r\nContent-Length: 2\r\n\r\n{}"),
    ]:
        s = d.connect()
        s.sendall(req)
        st, _, body = Reader(s).response()
        s.close()
        try:
            json.loads(body.decode("utf-8"))
            valid = True
        except (UnicodeDecodeError, ValueError):
            valid = False
        if valid or strict:
            c.ok(valid, "%s: the body is UTF-8 JSON" % what)
        else:
            print("  tolerated (ABUSE_TOLERATE_UTF8=1): %s: status %d, the "
                  "body is not valid UTF-8" % (what, st))


def main():
    binary = sys.argv[1]
    c = Checks("abuse")
    d = Daemon(binary, "--timeout", "2", "--max-body", "4096", "--threads", "2",
               "--max-connections", "64")
    try:
        slow_clients(c, d)
        oversized(c, d)
        body_limits(c, d)
        pipelining(c, d)
        utf8_bodies(c, d)
        c.ok(d.alive(), "the daemon never died")
    finally:
        c.ok(d.stop() == 0, "SIGTERM: exit 0")
    connection_limit(c, binary)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
