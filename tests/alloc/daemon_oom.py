#!/usr/bin/env python3
"""Daemon-level allocation failure: divergenced runs with tests/alloc/failmalloc.so
preloaded, so for a few seconds one malloc in DV_FAILMALLOC_ONE_IN fails anywhere in the
process (our code, jansson, libmicrohttpd, libc). Meanwhile requests of every route get
their normal answer, 503 out_of_memory, or a closed connection (libmicrohttpd drops a
connection it cannot allocate for) — never a 500, a wrong answer or a dead daemon.
After the window the daemon answers normally and exits 0 on SIGTERM.

Usage: daemon_oom.py BIN SHIM
"""
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "abuse"))
from dvlib import Checks, Daemon, exchange  # noqa: E402

KL = ('/kl', '{"p": [0.5, 0.5], "q": [0.9, 0.1], "terms": true}', 200)
REQS = [
    KL,
    ('/entropy', '{"samples": ["a", "b", "a", 1, true]}', 200),
    ('/js', '{"p": {"x": 1, "y": 2}, "q": {"y": 1, "z": 1}, "normalize": true}', 200),
    ('/cross-entropy', '{"label": 1, "q_logits": [1, 2, 3]}', 200),
    ('/gaussian-kl', '{"p": {"mean": [0, 1], "cov": [[2, 0.5], [0.5, 1]]}}', 200),
    ('/batch/categorical-kl', '{"p_logits": [[1, 2], [3, 4]], "q_logits": [[0, 0], [1, 1]]}', 200),
    ('/entropy', '{"p": [0.5, -0.5]}', 422),
    ('/kl', '{"p": [0.5', 400),
]


def main():
    binary, shim = sys.argv[1], os.path.abspath(sys.argv[2])
    c = Checks("daemon_oom")
    window_s = 6.0
    d = Daemon(binary, "--threads", "2", env={
        "LD_PRELOAD": shim, "DV_FAILMALLOC_ARM_MS": "1500",
        "DV_FAILMALLOC_MS": str(int(window_s * 1000)), "DV_FAILMALLOC_ONE_IN": "40"})
    counts = {"normal": 0, "503": 0, "closed": 0, "bad": 0}
    bad = []
    want = {}
    try:
        for path, body, _ in REQS:  # the answers before the window
            want[(path, body)] = exchange(d, "POST", path, body)
        t_end = time.time() + 1.5 + window_s + 0.5
        i = 0
        while time.time() < t_end:
            path, body, _ = REQS[i % len(REQS)]
            i += 1
            try:
                st, h, b = exchange(d, "POST", path, body, timeout=5)
            except (EOFError, OSError):
                counts["closed"] += 1
                continue
            ref = want[(path, body)]
            if st == ref[0] and b == ref[2]:
                counts["normal"] += 1
            elif st == 503:
                try:
                    j = json.loads(b)
                    ok = j.get("code") == "out_of_memory"
                except ValueError:
                    ok = False
                counts["503" if ok else "bad"] += 1
                if not ok:
                    bad.append((path, st, b[:200]))
            else:
                counts["bad"] += 1
                bad.append((path, st, b[:200]))
        c.ok(d.alive(), "the daemon survived %d requests with failing allocations" % i)
        c.ok(counts["bad"] == 0 and counts["503"] + counts["closed"] > 0,
             "each answer normal, 503 out_of_memory or a closed connection %r" % counts, repr(bad[:3]))
        time.sleep(0.5)
        st, _, b = exchange(d, "POST", KL[0], KL[1])
        c.ok(st == 200 and abs(json.loads(b)["kl"] - (0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(5))) < 1e-12,
             "normal answers after the window")
    finally:
        rc = d.stop()
    c.ok(rc == 0, "SIGTERM: exit 0", "exit %r; stderr %r" % (rc, d.err[-3:]))
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
