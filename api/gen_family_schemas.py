#!/usr/bin/python3
"""Writes one request schema per family of SPEC §8 into api/openapi.yaml (FamilyNormal,
FamilyGamma, …) and makes FamilyDistribution their oneOf on `family`, from the daemon's
own discovery document, so the contract cannot drift from the family table:

    /usr/bin/python3 api/gen_family_schemas.py BIN

A scalar parameter is a number or, for a batch, an array of numbers; a vector an array of
numbers or an array of them; a matrix an array of rows or an array of matrices. Exactly one
of each `one_of` group (probs / logits, covariance_matrix / scale_tril / precision_matrix)."""
import json
import re
import subprocess
import sys
import urllib.request

DOC = "api/openapi.yaml"
SHAPES = {
    "scalar": "{oneOf: [{type: number}, {type: array, minItems: 1, items: {type: number}}]}",
    "vector": "{type: array, minItems: 1, items: {oneOf: [{type: number}, {type: array, items: {type: number}}]}}",
    "matrix": "{type: array, minItems: 1, items: {type: array, items: {oneOf: [{type: number}, {type: array, items: {type: number}}]}}}",
}


def discovery(binary):
    p = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        for line in p.stdout:
            m = re.search(r'"port":\s*(\d+)', line)
            if m:
                with urllib.request.urlopen("http://127.0.0.1:%s/distributions" % m.group(1)) as r:
                    return json.load(r)
    finally:
        p.terminate()
    raise SystemExit("the daemon did not start")


def camel(name):
    return "Family" + "".join(w.capitalize() for w in name.split("_"))


def schema_text(f):
    """The family's schema as YAML lines (flow style for the parameter shapes)."""
    groups = [p["one_of"] for p in f["parameters"] if p.get("one_of")]
    required = ["family"] + [p["name"] for p in f["parameters"] if not p.get("one_of")]
    L = ["    %s:" % camel(f["family"]),
         "      description: '%s (support %s).'" % (f["family"], f["support"]),
         "      type: object",
         "      additionalProperties: false",
         "      required: [%s]" % ", ".join(required),
         "      properties:",
         "        family: {const: %s}" % f["family"]]
    for p in f["parameters"]:
        L.append("        %s:" % p["name"])
        L.append("          description: '%s, %s'" % (p["shape"], p["domain"].replace("'", "''")))
        L.append("          allOf: [%s]" % SHAPES[p["shape"]])
    if groups:  # a family has at most one group of alternatives
        L.append("      oneOf:")
        L += ["        - {required: [%s]}" % name for name in groups[0]]
    return "\n".join(L)


def main(binary):
    d = discovery(binary)
    text = open(DOC, encoding="utf-8").read()
    block = ["    FamilyDistribution:",
             "      description: |",
             "        `{\"family\": name, parameters…}` with PyTorch's parameter names (SPEC §8): one",
             "        schema per family, chosen by `family`. Every parameter may be an array of B",
             "        values (a batch); unbatched parameters broadcast.",
             "      oneOf:"]
    block += ["        - $ref: '#/components/schemas/%s'" % camel(f["family"]) for f in d["families"]]
    block += [schema_text(f) for f in d["families"]]
    new = "\n".join(block) + "\n"
    a = text.index("    FamilyDistribution:\n")
    b = text.index("    DistributionsKlRequest:\n")
    text = text[:a] + new + text[b:]
    open(DOC, "w", encoding="utf-8").write(text)
    print("gen_family_schemas: %d family schemas" % len(d["families"]))


if __name__ == "__main__":
    main(sys.argv[1])
