#!/usr/bin/env python3
"""Where divergenced spends its time on the two HTTP-bound figures of SPEC §12.

Usage: /usr/bin/python3 bench/profile.py BIN [SECONDS]   (needs perf; not part of make bench)

Starts BIN on a free loopback port, then `perf record -g -p PID` for SECONDS (default 8)
while (1) a client posts the /kl body over two 10^6-element JSON arrays in a loop, (2) the
same arrays as two .npy parts, (3) /batch/categorical-kl 1024 x 1000 and (4) /drift
10 x 10^5 (when served), and (5) wrk -t2 -c64 posts the small /kl body; prints the top symbols of each (self time,
`perf report --no-children`) and stops everything it started, by PID.
"""
import os
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the bodies, servers and wrk wrapper)


def record(pid, seconds, out):
    return subprocess.Popen(["perf", "record", "-q", "-g", "-p", str(pid), "-o", out, "--",
                             "sleep", str(seconds)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def top(data, n=25):
    r = subprocess.run(["perf", "report", "-i", data, "--no-children", "--stdio",
                        "--sort", "symbol", "-g", "none", "--percent-limit", "0.7"],
                       capture_output=True, text=True)
    lines = [x for x in r.stdout.splitlines() if x.strip() and not x.startswith("#")]
    return "\n".join(lines[:n])


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binp = os.path.abspath(sys.argv[1])
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    tmp = tempfile.mkdtemp(prefix="dv-prof-")
    try:
        dv, port = bench.start_divergenced(binp, tmp)
        small = bench.dumps(bench.kl_obj(10))
        if not bench.wait_ready(port, "/kl", small):
            raise RuntimeError("divergenced did not start")
        big = bench.dumps(bench.kl_obj(10**6, seed=3))

        bf = os.path.join(tmp, "big.json")
        with open(bf, "wb") as f:
            f.write(big)
        npy, ctype = bench.npy_multipart(tmp, bf)
        loops = [("/kl", "two 10^6-element JSON arrays", big, "application/json"),
                 ("/kl", "the same as two .npy parts", npy, ctype),
                 ("/batch/categorical-kl", "1024 x 1000 logits", bench.batch_body(1024, 1000),
                  "application/json")]
        tiny_drift = bench.dumps({"reference": {"a": [1.0, 2.0]}, "current": {"a": [2.0, 3.0]}})
        if bench.served(port, "/drift", tiny_drift):
            loops.append(("/drift", "10 features x 10^5 rows per side",
                          bench.drift_body(10, 10**5), "application/json"))
        for path, what, body, ct in loops:
            halt = threading.Event()
            count = [0]

            def loop():
                while not halt.is_set():
                    bench.timed_post(port, path, body, ct)
                    count[0] += 1

            data = os.path.join(tmp, "big.data")
            t = threading.Thread(target=loop)
            t.start()
            rec = record(dv.pid, seconds, data)
            rec.wait()
            halt.set()
            t.join()
            print("== %s, %s (%d bytes), %d requests in %d s ==" %
                  (path, what, len(body), count[0], seconds))
            print(top(data))
            print()

        sf = os.path.join(tmp, "small.json")
        with open(sf, "wb") as f:
            f.write(small)
        data = os.path.join(tmp, "small.data")
        rec = record(dv.pid, seconds, data)
        w = bench.wrk(port, "/kl", sf, seconds, 2, 64)
        rec.wait()
        print("== small /kl, wrk -t2 -c64: %.0f requests/s ==" % w["rps"])
        print(top(data))
    finally:
        bench.stop_all()
        subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
