#!/usr/bin/env python3
"""Builds the committed seed corpus fuzz/corpus/<target>/ from the integration suite's
request tables (tests/data/http_cases.json, tests/data/http_bad_cases.json), plus
hand-picked number texts and deterministic core inputs. File names are the SHA-1 of the
content (libFuzzer's convention), so re-running adds nothing twice.

Usage: fuzz/make_corpus.py            (from anywhere; writes under the repository)
"""
import hashlib
import json
import os
import random
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUTE_TARGET = {
    "/entropy": "entropy", "/kl": "kl", "/cross-entropy": "cross_entropy",
    "/gaussian-kl": "gaussian_kl", "/batch/categorical-kl": "batch_kl", "/js": "js",
}
SAMPLES_ROUTE_BYTE = {"/entropy": 0, "/kl": 1, "/js": 2, "/cross-entropy": 3}


def put(target, data):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def body_bytes(case):
    if "raw" in case:
        return case["raw"].encode("utf-8", "surrogatepass")
    if "body" in case:
        return json.dumps(case["body"], separators=(",", ":")).encode()
    return None


def uses_samples_or_labels(body):
    if not isinstance(body, dict):
        return False
    for k, v in body.items():
        if k.endswith("samples") or (k in ("p", "q") and isinstance(v, dict)):
            return True
    return False


def main():
    cases = json.load(open(os.path.join(ROOT, "tests/data/http_cases.json")))["cases"]
    bad = json.load(open(os.path.join(ROOT, "tests/data/http_bad_cases.json")))["bad"]
    for c in cases + bad:
        path, data = c.get("path"), body_bytes(c)
        if data is None or path not in ROUTE_TARGET or c.get("method", "POST") != "POST":
            continue
        put(ROUTE_TARGET[path], data)
        if path in SAMPLES_ROUTE_BYTE and uses_samples_or_labels(c.get("body")):
            put("samples", bytes([SAMPLES_ROUTE_BYTE[path]]) + data)
    # Samples/labels seeds the tables may lack: mixed kinds, duplicates, NUL strings.
    extra = [
        ("/entropy", {"samples": [1, 1.0, "1", True, False, None, -0.0, 0, "a\u0000b"]}),
        ("/kl", {"p_samples": ["x", "y", "x"], "q_samples": ["y", "x", "z"]}),
        ("/js", {"p": {"a": 1, "b": 3}, "q": {"b": 1, "c": 1}, "normalize": True, "terms": True}),
        ("/cross-entropy", {"p_samples": [1, 2, 2], "q_samples": [2, 1, 1], "terms": True}),
        ("/kl", {"p": {"~": 0.5, "/": 0.5}, "q": {"/": 0.5, "~": 0.5}, "terms": True}),
    ]
    for path, body in extra:
        put("samples", bytes([SAMPLES_ROUTE_BYTE[path]]) + json.dumps(body).encode())
    numbers = ["0", "-0", "1", "-1", "0.1", "1e308", "1.7976931348623157e308",
               "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "-1e999",
               "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400",
               "2.2250738585072011e-308", "2.2250738585072014e-308", "9007199254740993",
               "123456789012345678901234567890", "0.30000000000000004", "1E+2", "1e-2",
               "1.", "01", "-", "1e", "1e+", ".5", "+1", "0x10", "1.5e3,", "7]", "-0.0e-0",
               "0.000000000000000000000000000000000000001", "1" * 400, "1." + "0" * 300 + "1",
               "8.988465674311579e307", "89884656743115795386465259539451236680898848947115328"
               "636715040578866337902750481566354238661203768010560056939935696678829394884407"
               "208311246423715319737062188883946712432742638151109800623047059726541476042502"
               "884419075341171231440736956555270413618581675255342293149119973622969239858152"
               "417678164812112068608e0"]
    for t in numbers:
        put("numparse", t.encode())
    rng = random.Random(7)
    for i in range(48):
        flags = rng.randrange(256)
        n = rng.randrange(48)
        raw = flags & 4
        vals = bytearray()
        for _ in range(2 * (n + 1) + 10):
            if raw:
                x = rng.choice([rng.random(), rng.expovariate(1e-3), 10 ** rng.uniform(-300, 300),
                                0.0, 5e-324, rng.uniform(-50, 50)])
                vals += struct.pack("<d", x)
            else:
                vals += struct.pack(">H", rng.choice([0, rng.randrange(65536), 256, 1]))
        put("core", bytes([flags, n]) + bytes(vals) + bytes(rng.randrange(256) for _ in range(40)))


if __name__ == "__main__":
    main()
