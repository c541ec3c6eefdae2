#!/usr/bin/python3
"""openapi_json.py IN.yaml OUT.json — the OpenAPI document as JSON, at build time.

Why a converter and not a second hand-written file: api/openapi.yaml is the contract and
the JSON (served by GET /openapi.json, read by the playground and the docs page) must
never drift from it, so the Makefile derives one from the other on every build.

PyYAML reads YAML 1.1, which turns some plain scalars into non-JSON values (dates, and
yes/no/on/off into booleans); the loader below resolves only what JSON has (strings,
numbers, booleans true/false, null), so everything else stays the string it was written
as, and any key that is not a string is an error rather than a silent change.
Output is compact UTF-8 (the page parses it; nobody reads it by eye), written to a
temporary file and renamed, so a parallel build never embeds half a file.
"""
import json
import os
import re
import sys

import yaml


class JsonLoader(yaml.SafeLoader):
    """A SafeLoader that only resolves the scalars JSON has."""


JsonLoader.yaml_implicit_resolvers = {}
JsonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
JsonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
JsonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
JsonLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."))


def check_keys(node, where="#"):
    """Every mapping key must be a string (JSON object keys are)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if not isinstance(k, str):
                raise SystemExit(f"openapi_json: non-string key {k!r} at {where}")
            check_keys(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            check_keys(v, f"{where}/{i}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: openapi_json.py IN.yaml OUT.json")
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        doc = yaml.load(f, Loader=JsonLoader)  # noqa: S506 (a SafeLoader subclass)
    check_keys(doc)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    tmp = f"{dst}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.replace(tmp, dst)


if __name__ == "__main__":
    main()
