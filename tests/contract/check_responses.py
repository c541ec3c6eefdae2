#!/usr/bin/python3
"""Validates recorded daemon responses against the contract in api/openapi.yaml.

The integration suite appends one JSON object per response it receives to
build/tests/responses.jsonl (env DV_RESPONSE_LOG overrides the path):

    {"method": "POST", "path": "/kl", "status": 200,
     "content_type": "application/json", "body": <parsed JSON | raw string | null>}

For every line this finds the response the document declares for that path, method
and status, checks the content type against the declared media types, and validates
the body against the declared schema (JSON Schema 2020-12). Paths the document does
not list must answer 404 and methods a listed path does not list must answer 405;
both are checked against the document's x-divergenced-fallback-responses.
GET /openapi.yaml must serve the document byte for byte.

Usage: /usr/bin/python3 tests/contract/check_responses.py [LOG] [--spec api/openapi.yaml]
                                                   [--max-report N] [--coverage]
Exit 0 when every line conforms, 1 otherwise (or when the log has no response),
2 on bad usage.
"""

import argparse
import json
import os
import sys

try:
    import yaml
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
except ImportError as exc:  # pragma: no cover
    sys.stderr.write("check_responses: %s (apt-get install -y python3-jsonschema "
                     "python3-yaml; run with /usr/bin/python3)\n" % exc)
    sys.exit(2)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Contract:
    def __init__(self, spec_path):
        with open(spec_path, encoding="utf-8") as f:
            self.text = f.read()
        self.doc = yaml.safe_load(self.text)
        if not isinstance(self.doc, dict) or "paths" not in self.doc:
            raise ValueError("%s is not an OpenAPI document" % spec_path)
        self.paths = self.doc.get("paths") or {}
        fb = self.doc.get("x-divergenced-fallback-responses") or {}
        self.unknown_path = fb.get("unknownPath")
        self.method_not_allowed = fb.get("methodNotAllowed")
        self._validators = {}

    def deref(self, obj):
        """Follows local $refs between OpenAPI objects (responses, headers, …)."""
        seen = 0
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if not ref.startswith("#/"):
                raise ValueError("only local $refs are supported: %s" % ref)
            node = self.doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                node = node[part]
            obj = node
            seen += 1
            if seen > 32:
                raise ValueError("$ref loop at %s" % ref)
        return obj

    def validator(self, schema):
        """A 2020-12 validator for a schema that may $ref '#/components/…'.

        The schema is wrapped in a root that carries the document's components, so
        its local references resolve without a resolver (no $id is used anywhere).
        """
        key = json.dumps(schema, sort_keys=True)
        v = self._validators.get(key)
        if v is None:
            root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": self.doc.get("components", {}),
                    "allOf": [schema]}
            Draft202012Validator.check_schema(root)
            v = Draft202012Validator(root)
            self._validators[key] = v
        return v

    def declared(self):
        """Every (path, METHOD, status) the document declares."""
        out = []
        for p, item in self.paths.items():
            for m in HTTP_METHODS:
                if m in (item or {}):
                    for s in item[m].get("responses", {}):
                        out.append((p, m.upper(), str(s)))
        return out

    def find(self, path, method, status):
        """Returns (description, response object) or (None, error message)."""
        item = self.paths.get(path)
        if item is None:
            if status != 404:
                return None, ("path %s is not in the contract, so it must answer 404, "
                              "not %s" % (path, status))
            return ("unknown path -> 404", self.deref(self.unknown_path))
        op = item.get(method.lower()) if method.lower() in HTTP_METHODS else None
        if op is None:
            allowed = ", ".join(m.upper() for m in HTTP_METHODS if m in item)
            if status != 405:
                return None, ("%s %s is not in the contract (the path allows %s), so it "
                              "must answer 405, not %s" % (method, path, allowed, status))
            return ("method not allowed -> 405", self.deref(self.method_not_allowed))
        responses = op.get("responses", {})
        for key in (str(status), "%sXX" % str(status)[0], "default"):
            if key in responses:
                return ("%s %s %s" % (method, path, key), self.deref(responses[key]))
        return None, ("status %s is not declared for %s %s (declared: %s)"
                      % (status, method, path, ", ".join(sorted(map(str, responses)))))


def media_type(ct):
    if not ct:
        return ""
    return ct.split(";", 1)[0].strip().lower()


def describe_error(err):
    loc = "/" + "/".join(str(p) for p in err.absolute_path)
    msg = err.message
    if err.validator in ("oneOf", "anyOf") and err.context:
        # Name the alternative that came closest (fewest errors) and its first error.
        branches = {}
        for sub in err.context:
            branches.setdefault(sub.schema_path[0] if sub.schema_path else 0, []).append(sub)
        closest = min(branches.values(), key=len)
        sub = closest[0]
        sub_loc = "/" + "/".join(str(p) for p in sub.absolute_path)
        msg = "matches none of the %s alternatives; the closest fails at %s: %s" % (
            err.validator, sub_loc if sub_loc != "/" else "body", sub.message)
    if len(msg) > 300:
        msg = msg[:300] + "…"
    return "at %s: %s" % (loc if loc != "/" else "body", msg)


def check_line(contract, rec):
    """Returns a list of problems (empty when the response conforms) and the key."""
    for k in ("method", "path", "status"):
        if k not in rec:
            return ["log line has no %r member" % k], None
    method = str(rec["method"]).upper()
    path = str(rec["path"]).split("?", 1)[0].split("#", 1)[0]
    status = rec["status"]
    if not isinstance(status, int):
        return ["status %r is not an integer" % (status,)], None
    body = rec.get("body")
    ct = rec.get("content_type")

    where, resp = contract.find(path, method, status)
    if where is None:
        return [resp], None
    content = resp.get("content")
    if not content:
        if body not in (None, ""):
            return ["%s declares no body, but one was sent: %.120r" % (where, body)], where
        return [], where

    mt = media_type(ct)
    if mt not in content:
        return ["%s: content type %r is not declared (declared: %s)"
                % (where, ct, ", ".join(content))], where
    schema = content[mt].get("schema")
    problems = []
    if schema is not None:
        v = contract.validator(schema)
        errors = list(v.iter_errors(body))
        if errors:
            best = best_match(errors)
            problems.append("%s: %s" % (where, describe_error(best)))
            for e in errors:
                if e is not best and len(problems) < 4:
                    problems.append("%s: %s" % (where, describe_error(e)))
    if (path == "/openapi.yaml" and method == "GET" and status == 200
            and isinstance(body, str) and body != contract.text):
        problems.append("%s: the served document differs from api/openapi.yaml "
                        "(%d bytes served, %d in the file)"
                        % (where, len(body.encode()), len(contract.text.encode())))
    return problems, where


def self_test(contract, fixtures):
    """Returns 0 when the checker accepts the good fixtures and rejects every bad one."""
    wrong = []
    counts = {}
    for name, must_pass in (("good", True), ("bad", False)):
        path = os.path.join(fixtures, name + ".jsonl")
        with open(path, encoding="utf-8") as f:
            lines = [(n, l) for n, l in enumerate(f, 1) if l.strip()]
        counts[name] = len(lines)
        for n, line in lines:
            rec = json.loads(line)
            problems, _ = check_line(contract, rec)
            if must_pass and problems:
                wrong.append("%s:%d should pass but: %s" % (path, n, "; ".join(problems)))
            if not must_pass and not problems:
                wrong.append("%s:%d should fail (%s) but passed"
                             % (path, n, rec.get("why", "no reason given")))
    doc_line = {"method": "GET", "path": "/openapi.yaml", "status": 200,
                "content_type": "application/yaml", "body": contract.text}
    problems, _ = check_line(contract, doc_line)
    if problems:
        wrong.append("the document itself as GET /openapi.yaml: " + "; ".join(problems))
    for w in wrong:
        print("    " + w)
    print("self-test: %d good fixtures accepted, %d bad fixtures rejected, %d wrong"
          % (counts["good"] + 1, counts["bad"], len(wrong)))
    return 1 if wrong or not counts["good"] or not counts["bad"] else 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log", nargs="?",
                    default=os.environ.get("DV_RESPONSE_LOG")
                    or os.path.join(root, "build", "tests", "responses.jsonl"))
    ap.add_argument("--spec", default=os.path.join(root, "api", "openapi.yaml"))
    ap.add_argument("--max-report", type=int, default=50,
                    help="print at most this many failing lines (default 50)")
    ap.add_argument("--self-test", metavar="DIR",
                    help="check the checker: every line of DIR/good.jsonl must pass, "
                         "every line of DIR/bad.jsonl must fail, and the document "
                         "itself must pass as the body of GET /openapi.yaml")
    ap.add_argument("--coverage", action="store_true",
                    help="also list the declared responses that no line exercised")
    args = ap.parse_args(argv)

    try:
        contract = Contract(args.spec)
    except Exception as exc:  # noqa: BLE001 - report any load failure plainly
        print("check_responses: cannot load %s: %s" % (args.spec, exc), file=sys.stderr)
        return 1
    if args.self_test:
        return self_test(contract, args.self_test)
    # SPEC §3.2: HEAD is answered on every GET route, so the contract declares it.
    no_head = [p for p, ops in contract.doc["paths"].items() if "get" in ops and "head" not in ops]
    if no_head:
        print("check_responses: GET routes without a HEAD operation: %s" % ", ".join(no_head))
        return 1
    try:
        f = open(args.log, encoding="utf-8")
    except OSError as exc:
        print("check_responses: cannot read %s: %s" % (args.log, exc), file=sys.stderr)
        return 1

    total = failed = 0
    seen = set()
    with f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            total += 1
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                problems, key = ["log line is not a JSON object: %s" % exc], None
                rec = {}
            else:
                problems, key = check_line(contract, rec)
            if key:
                seen.add(key)
            if problems:
                failed += 1
                if failed <= args.max_report:
                    print("%s:%d: %s %s -> %s" % (args.log, lineno, rec.get("method", "?"),
                                                  rec.get("path", "?"), rec.get("status", "?")))
                    for p in problems:
                        print("    " + p)
    if failed > args.max_report:
        print("... %d more failing lines not shown" % (failed - args.max_report))

    declared = contract.declared()
    hit = [d for d in declared if "%s %s %s" % (d[1], d[0], d[2]) in seen]
    print("coverage: %d of %d declared responses exercised%s"
          % (len(hit), len(declared),
             "" if "unknown path -> 404" in seen else "; no unknown-path 404 seen"))
    if args.coverage:
        for d in declared:
            if d not in hit:
                print("    not exercised: %s %s %s" % (d[1], d[0], d[2]))
    print("contract: %d responses validated, %d failed" % (total, failed))
    if total == 0:
        print("check_responses: %s holds no response" % args.log, file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
