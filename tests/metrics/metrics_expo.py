#!/usr/bin/python3
"""Strict parser and SPEC §5 validator for divergenced's Prometheus text exposition (0.0.4).

Used by tests/metrics/run.sh (through tests/metrics/metrics_check.py). Run directly:
    metrics_expo.py FILE            parse + validate one scrape, print problems, exit 1 on any
"""
import math
import re
import sys

# --- the contract (SPEC §5 + the team's API notes) ---------------------------------------

def _contract_routes():
    """The route templates of api/openapi.yaml, in document order, then "other": the
    metric labels are the contract's paths, so a new route needs no edit here."""
    import os
    import yaml
    spec = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "api", "openapi.yaml")
    with open(spec, encoding="utf-8") as f:
        return tuple(yaml.safe_load(f)["paths"]) + ("other",)


ROUTES = _contract_routes()

BUCKETS = (0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
           0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)

# code -> HTTP status (API notes, error table)
CODES = {
    "malformed_json": 400, "unauthorized": 401, "not_found": 404, "method_not_allowed": 405,
    "payload_too_large": 413, "unsupported_media_type": 415,
    "invalid_input": 422, "unknown_member": 422, "missing_member": 422, "wrong_type": 422,
    "empty": 422, "negative_value": 422, "non_finite": 422, "not_normalized": 422,
    "zero_total": 422, "shape_mismatch": 422, "invalid_parameter": 422, "not_positive": 422,
    "not_symmetric": 422, "not_positive_definite": 422,
    "unavailable": 503, "out_of_memory": 503,
    "unknown_measure": 422, "unknown_family": 422, "unsupported_pair": 422, "bad_array": 422,
    "request_timeout": 408,
}
STATUSES = {200, 204, 304} | set(CODES.values())
# A method label must come from a fixed vocabulary, never from the request line.
METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
           "other", "OTHER"}

# family -> (type, label names of its plain samples)
FAMILIES = {
    "divergenced_http_requests_total": ("counter", ("method", "route", "status")),
    "divergenced_http_request_duration_seconds": ("histogram", ("route",)),
    "divergenced_http_requests_in_flight": ("gauge", ()),
    "divergenced_http_request_bytes_total": ("counter", ("route",)),
    "divergenced_http_response_bytes_total": ("counter", ("route",)),
    "divergenced_values_processed_total": ("counter", ("route",)),
    "divergenced_errors_total": ("counter", ("code", "route")),
    "divergenced_build_info": ("gauge", ("version",)),
    "process_cpu_seconds_total": ("counter", ()),
    "process_resident_memory_bytes": ("gauge", ()),
    "process_virtual_memory_bytes": ("gauge", ()),
    "process_open_fds": ("gauge", ()),
    "process_max_fds": ("gauge", ()),
    "process_start_time_seconds": ("gauge", ()),
}
# Families that must have at least one sample even before any traffic.
UNLABELLED = [f for f, (_, labels) in FAMILIES.items() if not labels] + ["divergenced_build_info"]

# --- parsing --------------------------------------------------------------------------------

NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LNAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
VALUE_RE = re.compile(r"(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf)|NaN)$")
TS_RE = re.compile(r"-?\d+$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class Expo:
    def __init__(self):
        self.help = {}        # family -> text
        self.type = {}        # family -> type
        self.samples = {}     # (name, frozenset(labels.items())) -> value
        self.order = []       # [(name, labels dict, value)]
        self.family_of = {}   # sample name -> family
        self.problems = []

    def get(self, name, **labels):
        return self.samples.get((name, frozenset(labels.items())))

    def series(self, name):
        """[(labels dict, value)] for one sample name."""
        return [(l, v) for (n, l, v) in self.order if n == name]

    def total(self, name, **match):
        return sum(v for l, v in self.series(name)
                   if all(l.get(k) == str(x) for k, x in match.items()))


def _unescape_help(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "\\n":
            out.append("\n" if s[i + 1] == "n" else "\\")
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _parse_labels(s, i, err):
    """s[i] == '{'. Returns (labels, index after '}') or (None, _) after err()."""
    labels = {}
    i += 1
    while True:
        if i < len(s) and s[i] == "}":
            return labels, i + 1
        m = LNAME_RE.match(s, i)
        if not m:
            err("bad label name at column %d" % (i + 1))
            return None, i
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            err("expected =\" after label %s" % name)
            return None, i
        i += 2
        val = []
        while True:
            if i >= len(s):
                err("unterminated label value for %s" % name)
                return None, i
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    err("invalid escape \\%s in label %s" % (nxt, name))
                    return None, i
                val.append({"\\": "\\", '"': '"', "n": "\n"}[nxt])
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                val.append(c)
                i += 1
        if name in labels:
            err("duplicate label %s" % name)
            return None, i
        labels[name] = "".join(val)
        if i < len(s) and s[i] == ",":
            i += 1
            continue
        if i < len(s) and s[i] == "}":
            return labels, i + 1
        err("expected , or } after label %s" % name)
        return None, i


def parse(text):
    e = Expo()
    if text and not text.endswith("\n"):
        e.problems.append("exposition does not end with a newline")
    seen_families = []        # family order of first appearance of samples
    closed = set()            # families whose sample block has ended
    current = None
    for lineno, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
        def err(msg, lineno=lineno, line=line):
            e.problems.append("line %d: %s: %r" % (lineno, msg, line[:160]))
        if line.strip() == "":
            continue
        if "\r" in line:
            err("carriage return in line")
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[0] == "#" and parts[1] in ("HELP", "TYPE"):
                fam = parts[2]
                if not NAME_RE.fullmatch(fam):
                    err("bad metric name in %s" % parts[1])
                    continue
                if fam in closed or fam in e.family_of.values():
                    err("%s for %s after its samples" % (parts[1], fam))
                if current is not None:
                    closed.add(current)
                    current = None
                if parts[1] == "HELP":
                    if fam in e.help:
                        err("second HELP for %s" % fam)
                    e.help[fam] = _unescape_help(parts[3] if len(parts) > 3 else "")
                else:
                    t = parts[3].strip() if len(parts) > 3 else ""
                    if t not in TYPES:
                        err("unknown TYPE %r" % t)
                    if fam in e.type:
                        err("second TYPE for %s" % fam)
                    e.type[fam] = t
            continue  # other comments are allowed
        m = NAME_RE.match(line)
        if not m:
            err("bad metric name")
            continue
        name = m.group(0)
        i = m.end()
        labels = {}
        if i < len(line) and line[i] == "{":
            labels, i = _parse_labels(line, i, err)
            if labels is None:
                continue
        rest = line[i:]
        if not rest.startswith(" "):
            err("expected a space before the value")
            continue
        fields = rest.split()
        if len(fields) not in (1, 2) or not VALUE_RE.match(fields[0]):
            err("bad value/timestamp")
            continue
        if len(fields) == 2:
            if not TS_RE.match(fields[1]):
                err("bad timestamp")
                continue
            err("sample carries a timestamp (a live exporter should not)")
        value = float(fields[0])
        # family of this sample
        fam = name
        if name not in e.type:
            for suf in ("_bucket", "_sum", "_count"):
                base = name[:-len(suf)] if name.endswith(suf) else None
                if base and e.type.get(base) in ("histogram", "summary"):
                    fam = base
                    break
        if "le" in labels and fam == name:
            err("le label on a non-histogram sample")
        if fam != current:
            if current is not None:
                closed.add(current)
            if fam in closed:
                err("samples of %s are not contiguous" % fam)
            current = fam
            if fam not in seen_families:
                seen_families.append(fam)
        if fam not in e.type:
            err("sample without # TYPE for %s" % fam)
        if fam not in e.help:
            err("sample without # HELP for %s" % fam)
        key = (name, frozenset(labels.items()))
        if key in e.samples:
            err("duplicate series")
            continue
        e.samples[key] = value
        e.order.append((name, labels, value))
        e.family_of[name] = fam
    return e


# --- SPEC §5 validation ---------------------------------------------------------------------

def _le(s):
    return math.inf if s == "+Inf" else float(s)


def validate(e, version=None, require_samples=False):
    """Structural SPEC §5 checks on one scrape; returns a list of problems (empty = fine)."""
    p = list(e.problems)
    for fam, (typ, labelnames) in FAMILIES.items():
        if fam not in e.help:
            p.append("%s: no # HELP line" % fam)
        elif not e.help[fam].strip():
            p.append("%s: empty # HELP text" % fam)
        if fam not in e.type:
            p.append("%s: no # TYPE line" % fam)
        elif e.type[fam] != typ:
            p.append("%s: # TYPE is %s, SPEC says %s" % (fam, e.type[fam], typ))
    for fam in UNLABELLED:
        if not e.series(fam):
            p.append("%s: no sample" % fam)
    if require_samples:
        for fam, (typ, labelnames) in FAMILIES.items():
            name = fam + "_count" if typ == "histogram" else fam
            if not e.series(name):
                p.append("%s: no sample after traffic" % name)

    for name, labels, value in e.order:
        fam = e.family_of.get(name)
        if fam not in FAMILIES:
            if fam.startswith("divergenced_"):
                p.append("%s: family not in SPEC §5" % fam)
            continue
        typ, labelnames = FAMILIES[fam]
        want = set(labelnames) | ({"le"} if name.endswith("_bucket") and typ == "histogram" else set())
        if set(labels) != want:
            p.append("%s%s: labels %s, SPEC says %s" % (name, _fmt(labels), sorted(labels), sorted(want)))
            continue
        if math.isnan(value) or value < 0:
            p.append("%s%s: value %r" % (name, _fmt(labels), value))
        if "route" in labels and labels["route"] not in ROUTES:
            p.append("%s%s: route %r is not a route template" % (name, _fmt(labels), labels["route"]))
        if "method" in labels and labels["method"] not in METHODS:
            p.append("%s%s: method %r is not from a fixed vocabulary" % (name, _fmt(labels), labels["method"]))
        if "status" in labels:
            if not re.fullmatch(r"[1-5]\d\d", labels["status"]) or int(labels["status"]) not in STATUSES:
                p.append("%s%s: status %r is not one the daemon sends" % (name, _fmt(labels), labels["status"]))
        if "code" in labels and labels["code"] not in CODES:
            p.append("%s%s: code %r is not in the error table" % (name, _fmt(labels), labels["code"]))
        if typ == "counter" and value != int(value) and fam != "process_cpu_seconds_total":
            p.append("%s%s: counter value %r is not an integer" % (name, _fmt(labels), value))

    # build_info
    bi = e.series("divergenced_build_info")
    if len(bi) != 1:
        p.append("divergenced_build_info: %d series, want exactly 1" % len(bi))
    for labels, value in bi:
        if value != 1:
            p.append("divergenced_build_info: value %r, want 1" % value)
        if version is not None and labels.get("version") != version:
            p.append("divergenced_build_info: version %r, want %r" % (labels.get("version"), version))

    # in-flight gauge: a non-negative integer; the only request in flight is at most this scrape
    for labels, value in e.series("divergenced_http_requests_in_flight"):
        if value not in (0, 1):
            p.append("divergenced_http_requests_in_flight = %r while only the scrape is in flight" % value)

    # histogram structure
    h = "divergenced_http_request_duration_seconds"
    routes = {l["route"] for l, _ in e.series(h + "_bucket") + e.series(h + "_count") + e.series(h + "_sum")
              if "route" in l}
    for r in sorted(routes):
        bks = [(l["le"], v) for l, v in e.series(h + "_bucket") if l.get("route") == r]
        try:
            les = [_le(le) for le, _ in bks]
        except ValueError:
            p.append("%s{route=%r}: unparsable le" % (h, r))
            continue
        if sorted(les) != les:
            p.append("%s{route=%r}: buckets not in increasing le order" % (h, r))
        if sorted(les) != list(BUCKETS):
            p.append("%s{route=%r}: le set %s, want %s" % (h, r, [le for le, _ in bks],
                                                          [_fmtle(b) for b in BUCKETS]))
        vals = [v for _, v in sorted(zip(les, [v for _, v in bks]))]
        if any(b > a for a, b in zip(vals[1:], vals)):
            p.append("%s{route=%r}: bucket counts not cumulative: %s" % (h, r, vals))
        cnt = e.get(h + "_count", route=r)
        sm = e.get(h + "_sum", route=r)
        if cnt is None or sm is None:
            p.append("%s{route=%r}: _count or _sum missing" % (h, r))
            continue
        inf = e.get(h + "_bucket", route=r, le="+Inf")
        if inf != cnt:
            p.append("%s{route=%r}: +Inf bucket %r != _count %r" % (h, r, inf, cnt))
        if sm < 0 or (cnt == 0 and sm != 0):
            p.append("%s{route=%r}: _sum %r with _count %r" % (h, r, sm, cnt))
        req = e.total("divergenced_http_requests_total", route=r)
        # The scrape that renders this text may be counted on one side and not the other.
        slack = 1 if r == "/metrics" else 0
        if abs(cnt - req) > slack:
            p.append("%s_count{route=%r} = %r but divergenced_http_requests_total{route=%r} sums to %r"
                     % (h, r, cnt, r, req))

    # every 4xx/5xx is an error with a code of that status; no 2xx is
    for r in ROUTES:
        for status in sorted(set(CODES.values())):
            req = e.total("divergenced_http_requests_total", route=r, status=status)
            err_n = sum(v for l, v in e.series("divergenced_errors_total")
                        if l.get("route") == r and CODES.get(l.get("code")) == status)
            if req != err_n:
                p.append("route %r status %d: requests_total %r but errors_total (codes of that status) %r"
                         % (r, status, req, err_n))

    # process set sanity
    g = lambda n: e.get(n)
    rss, vms = g("process_resident_memory_bytes"), g("process_virtual_memory_bytes")
    if rss is not None and vms is not None and not (0 < rss <= vms):
        p.append("process memory: rss %r, virtual %r" % (rss, vms))
    ofd, mfd = g("process_open_fds"), g("process_max_fds")
    if ofd is not None and mfd is not None and not (3 <= ofd <= mfd):
        p.append("process fds: open %r, max %r" % (ofd, mfd))
    return p


def _fmtle(b):
    return "+Inf" if b == math.inf else "%g" % b


def _fmt(labels):
    return "{" + ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)) + "}"


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        e = parse(f.read())
    probs = validate(e)
    for x in probs:
        print("PROBLEM:", x)
    print("%d series, %d problems" % (len(e.order), len(probs)))
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
