#!/usr/bin/python3
"""SPEC §10: a body sent as multipart/form-data with NumPy .npy parts is answered exactly
as the same body sent as JSON (tests/npy/run.sh).

Every case of the integration tables that has a JSON body (tests/data/http_cases*.json
and http_bad_cases*.json) is sent twice to the real daemon on loopback: as JSON, and as
multipart with each numeric array (1-D, or rectangular 2-D) as a .npy part — float64 in
either byte order, float32 where every value is exactly a float32, int64 for integer
lists, bool for boolean lists, C or Fortran order, format 1.0, 2.0 or 3.0, rotating case
by case — nested arrays of Gaussians as "/p/mean" parts, and every other member as a
JSON text part. The two answers must be the same bytes (status, content type and body).
Then the multipart-only failures: a malformed .npy, a truncated one, an unsupported
dtype, a 3-D array, a huge declared shape (refused before any allocation, 413), an
unknown member, two parts for one member, a missing boundary.
"""
import glob
import http.client
import io
import json
import os
import sys
import uuid

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "abuse"))
from dvlib import Checks, Daemon  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def post(port, path, body, ctype):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST", path, body=body, headers={"Content-Type": ctype})
    r = c.getresponse()
    out = (r.status, r.getheader("Content-Type"), r.read())
    c.close()
    return out


def numeric_list(v):
    return isinstance(v, list) and len(v) > 0 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)


def as_array(v):
    """The numpy array a JSON value equals, or None when it is not a plain array."""
    if numeric_list(v):
        return np.array(v, dtype=np.int64 if all(isinstance(x, int) for x in v) else np.float64)
    if isinstance(v, list) and v and all(isinstance(x, bool) for x in v):
        return np.array(v, dtype=bool)
    if isinstance(v, list) and v and all(numeric_list(r) for r in v) and \
            len({len(r) for r in v}) == 1:
        return np.array(v, dtype=np.float64)
    return None


def exact_f32(a):
    with np.errstate(over="ignore"):
        return np.array_equal(a.astype(np.float32).astype(np.float64), a)


def pointer(*keys):
    """RFC 6901: a part's name is a pointer ("a/b" as a member is "/a~1b")."""
    return "".join("/" + k.replace("~", "~0").replace("/", "~1") for k in keys)


def npy_bytes(a, k):
    """a written as .npy, varying byte order, dtype, memory order and version with k."""
    if a.dtype == np.float64:
        if k % 4 == 1:
            a = a.astype(">f8")
        elif k % 4 == 2 and exact_f32(a):
            a = a.astype("<f4")
    if a.ndim == 2 and k % 2 == 1:
        a = np.asfortranarray(a)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, version=[(1, 0), (2, 0), (3, 0)][k % 3])
    return buf.getvalue()


def multipart(parts):
    b = uuid.uuid4().hex
    out = b""
    for name, data, ctype, fname in parts:
        disp = 'form-data; name="%s"' % name + ('; filename="%s"' % fname if fname else "")
        out += b"--%s\r\nContent-Disposition: %s\r\nContent-Type: %s\r\n\r\n" % (
            b.encode(), disp.encode(), ctype.encode()) + data + b"\r\n"
    return out + b"--%s--\r\n" % b.encode(), "multipart/form-data; boundary=" + b


def to_parts(body, k):
    parts = []
    for key, v in body.items():
        a = as_array(v)
        if a is not None:
            parts.append((pointer(key), npy_bytes(a, k), "application/x-npy", "part.npy"))
            k += 1
        elif isinstance(v, dict) and key in ("p", "q") and "mean" in v:
            for mk, mv in v.items():  # a Gaussian: one part per member
                a = as_array(mv)
                if a is not None:
                    parts.append((pointer(key, mk), npy_bytes(a, k), "application/x-npy", None))
                    k += 1
                else:
                    parts.append((pointer(key, mk), json.dumps(mv).encode(),
                                  "application/json", None))
        else:
            parts.append((pointer(key), json.dumps(v).encode(), "application/json", None))
    return parts


def cases():
    out = []
    for f in sorted(glob.glob(os.path.join(ROOT, "tests/data/http_cases*.json"))):
        out += json.load(open(f))["cases"]
    for f in sorted(glob.glob(os.path.join(ROOT, "tests/data/http_bad_cases*.json"))):
        out += json.load(open(f))["bad"]
    return [c for c in out if isinstance(c.get("body"), dict) and "gen" not in c and
            c.get("method", "POST") == "POST" and c.get("content_type") is None and
            c.get("daemon") is None and c["body"]]


def main():
    binary = sys.argv[1]
    c = Checks("npy")
    d = Daemon(binary, "--log-level", "warn")
    same = differ = arrays = 0
    for i, case in enumerate(cases()):
        parts = to_parts(case["body"], i)
        arrays += sum(1 for p in parts if p[2] == "application/x-npy")
        j = post(d.port, case["path"], json.dumps(case["body"]).encode(), "application/json")
        body, ctype = multipart(parts)
        m = post(d.port, case["path"], body, ctype)
        if j == m:
            same += 1
        else:
            differ += 1
            if differ <= 5:
                print("  DIFF %s\n    json %r\n    npy  %r" % (case["name"], j, m))
    c.ok(differ == 0 and same > 100,
         "%d table cases as multipart (%d .npy parts): answers byte-identical to JSON" % (
             same + differ, arrays), "%d differ" % differ)

    p = npy_bytes(np.array([0.4, 0.4, 0.2]), 0)
    q = npy_bytes(np.array([0.5, 0.1, 0.4]), 0)

    def problem(parts, want_status, want_code, want_ptr):
        body, ctype = multipart(parts)
        st, ct, raw = post(d.port, "/kl", body, ctype)
        got = json.loads(raw)
        return st == want_status and got.get("code") == want_code and \
            got.get("pointer") == want_ptr, (st, got)

    for what, parts, want in (
            ("a malformed .npy", [("p", b"not an npy file", "application/x-npy", None),
                                  ("q", q, "application/x-npy", None)], (422, "bad_array", "/p")),
            ("a truncated .npy", [("p", p, "application/x-npy", None),
                                  ("q", q[:-5], "application/x-npy", None)], (422, "bad_array", "/q")),
            ("a complex dtype", [("p", npy_bytes(np.array([1j, 2]), 0), "application/x-npy", None),
                                 ("q", q, "application/x-npy", None)], (422, "bad_array", "/p")),
            ("a 3-D array", [("p", npy_bytes(np.zeros((2, 2, 2)), 0), "application/x-npy", None),
                             ("q", q, "application/x-npy", None)], (422, "bad_array", "/p")),
            ("an unknown member", [("p", p, "application/x-npy", None),
                                   ("q", q, "application/x-npy", None),
                                   ("zz", b"1", "text/plain", None)], (422, "unknown_member", "/zz")),
            ("two parts for one member", [("p", p, "application/x-npy", None),
                                          ("p", p, "application/x-npy", None)],
             (422, "invalid_input", "/p")),
    ):
        ok, got = problem(parts, *want)
        c.ok(ok, "%s → %d %s at %s" % (what, *want), repr(got))
    # A declared shape of 10^12 elements: refused from the header, nothing allocated.
    hdr = p.replace(b"(3,)", b"(1000000000000,)")
    ok, got = problem([("p", hdr, "application/x-npy", None), ("q", q, "application/x-npy", None)],
                      413, "payload_too_large", "/p")
    c.ok(ok, "a declared shape of 10^12 elements → 413 before any allocation", repr(got))
    st, ct, raw = post(d.port, "/kl", b"--x\r\n", "multipart/form-data")
    c.ok(st == 400 and json.loads(raw).get("code") == "malformed_json",
         "multipart without a boundary → 400", repr((st, raw[:120])))
    c.ok(d.alive(), "the daemon is still up")
    c.ok(d.stop() == 0, "daemon exits 0")
    return c.done()


if __name__ == "__main__":
    sys.exit(main())
