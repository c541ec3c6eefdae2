#!/usr/bin/env python3
"""Large requests at once against one daemon (meant for the ThreadSanitizer build, see
tests/threads/run.sh): three /kl JSON bodies over the 1 MiB at which decoding moves to a
second thread, the same arrays as .npy parts, a /batch/categorical-kl and a /drift body,
two uploads abandoned half-way, and small requests throughout. Every large /kl answer
must be byte-identical to the others (JSON or .npy), every status as expected, and the
daemon must exit 0 on SIGTERM.

Usage: concurrent.py BIN. Loopback only; stops by itself.
"""
import json
import os
import random
import struct
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "abuse"))
from dvlib import Checks, Daemon, Reader, exchange, request_bytes  # noqa: E402


def npy(values):
    """A float64 .npy (format 1.0), written without numpy."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }" % len(values)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() +
            struct.pack("<%dd" % len(values), *values))


def multipart(parts, boundary="dvthreads0123456789"):
    out = []
    for name, data, ctype in parts:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: %s\r\n\r\n" % (boundary, name, name + ".npy", ctype)).encode()
                   + data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def main():
    c = Checks("threads")
    d = Daemon(sys.argv[1], "--log-level", "warn")
    rng = random.Random(5)
    n = 150000
    p = [rng.random() + 1e-3 for _ in range(n)]
    q = [rng.random() + 1e-3 for _ in range(n)]
    kl_json = json.dumps({"p": p, "q": q, "normalize": True}).encode()
    div_json = json.dumps({"p": p, "q": q, "normalize": True, "alpha": [0.5, 2]}).encode()
    kl_npy, npy_type = multipart([("p", npy(p), "application/x-npy"),
                                  ("q", npy(q), "application/x-npy")])
    kl_npy = kl_npy.replace(b"--dvthreads0123456789--",
                            b"--dvthreads0123456789\r\nContent-Disposition: form-data; "
                            b"name=\"normalize\"\r\n\r\ntrue\r\n--dvthreads0123456789--")
    rows = [[rng.gauss(0, 3) for _ in range(500)] for _ in range(200)]
    batch = json.dumps({"p_logits": rows, "q_logits": rows[::-1]}).encode()
    drift = json.dumps({"reference": {"a": [rng.gauss(0, 1) for _ in range(60000)]},
                        "current": {"a": [rng.gauss(0.1, 1) for _ in range(60000)]}}).encode()
    results = {}

    def run(name, path, body, ctype="application/json"):
        try:
            results[name] = exchange(d, "POST", path, body, timeout=120, ctype=ctype)
        except (OSError, EOFError) as e:
            results[name] = (repr(e), {}, b"")

    def abandon(name, body):
        s = d.connect(60)
        msg = request_bytes("POST", "/kl", body)
        s.sendall(msg[:len(msg) * 2 // 3])  # past the first MiB, then gone
        s.close()
        results[name] = "sent"

    def small(name):
        st = [exchange(d, "POST", "/kl", b'{"p": [0.5, 0.5], "q": [0.9, 0.1]}')[0]
              for _ in range(40)]
        results[name] = st

    jobs = [("json%d" % i, run, ("/kl", kl_json)) for i in range(3)]
    jobs += [("npy", run, ("/kl", kl_npy, npy_type)), ("batch", run, ("/batch/categorical-kl", batch)),
             ("drift", run, ("/drift", drift)), ("div", run, ("/divergences", div_json)), ("gone1", abandon, (kl_json,)),
             ("gone2", abandon, (kl_json,)), ("small", small, ())]
    threads = [threading.Thread(target=f, args=(name,) + a) for name, f, a in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    bodies = [results.get(k, ("missing", {}, b"")) for k in ("json0", "json1", "json2", "npy")]
    c.ok(all(b[0] == 200 for b in bodies), "3 JSON and 1 .npy /kl bodies of %d KB at once: 200"
         % (len(kl_json) // 1000), repr([b[0] for b in bodies]))
    c.ok(len({b[2] for b in bodies}) == 1, "their answers are byte-identical",
         repr([b[2][:80] for b in bodies]))
    side = [results.get(k, ("?",))[0] for k in ("batch", "drift", "div")]
    c.ok(side == [200] * 3, "a /batch/categorical-kl, a /drift and a /divergences body "
         "(its cores on a second thread) alongside: 200", repr(side))
    div_kl = json.loads(results["div"][2]).get("kl") if side[2] == 200 else None
    kl = json.loads(bodies[0][2]).get("kl") if bodies[0][0] == 200 else None
    c.ok(div_kl is not None and div_kl == kl, "/divergences' kl is /kl's, exactly",
         repr((div_kl, kl)))
    c.ok(results.get("small") == [200] * 40, "40 small /kl meanwhile: all 200",
         repr(results.get("small")))
    c.ok(d.stop() == 0, "daemon exits 0 after two abandoned large uploads")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
