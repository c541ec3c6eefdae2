#!/usr/bin/python3
"""Completes api/openapi.yaml with what every route has by construction; run it after
adding a route (idempotent):
- a `head` operation on every path that has `get` (SPEC §3.2: HEAD is answered on every
  GET route): the GET's tags and security, its 2xx/304 statuses with their headers and no
  body, its other responses as they are;
- `multipart/form-data` (MultipartBody, SPEC §10) beside `application/json` in every
  POST request body, since every compute route takes both."""
import re
import sys

import yaml

p = sys.argv[1] if len(sys.argv) > 1 else "api/openapi.yaml"
s = open(p, encoding="utf-8").read()
doc = yaml.safe_load(s)
todo = {k: v["get"] for k, v in doc["paths"].items() if "get" in v and "head" not in v}
out, cur = [], None
for ln in s.split("\n"):
    m = re.match(r"^  (/\S*):\s*$", ln)
    if m:
        cur = m.group(1)
    if cur in todo and ln == "    options:":
        g = todo.pop(cur)
        opid = "head" + g["operationId"][0].upper() + g["operationId"][1:]
        out += ["    head:", "      tags: [%s]" % ", ".join(g.get("tags", [])),
                "      operationId: %s" % opid,
                "      summary: Headers of GET %s, without the body" % cur]
        if "security" in g:
            out.append("      security: %s" % yaml.safe_dump(g["security"], default_flow_style=True).strip())
        if g.get("parameters"):
            out.append("      parameters:")
            for prm in g["parameters"]:
                out += ["        " + ("- " if i == 0 else "  ") + l
                        for i, l in enumerate(yaml.safe_dump(prm, default_flow_style=False).strip().split("\n"))]
        out.append("      responses:")
        for code, r in g["responses"].items():
            out.append("        '%s':" % code)
            if "$ref" in r and not code.startswith("2"):
                out.append("          $ref: '%s'" % r["$ref"])
            else:
                out.append("          description: As for GET, with no body.")
                out += ["          headers:",
                        "            Access-Control-Allow-Origin:",
                        "              $ref: '#/components/headers/AccessControlAllowOrigin'",
                        "            X-Request-Id:",
                        "              $ref: '#/components/headers/XRequestId'"]
    out.append(ln)
if todo:
    sys.exit("no options block to insert HEAD before for: %s" % ", ".join(todo))

# multipart/form-data beside application/json in every POST request body
lines, out, method, in_body = out, [], None, False
for i, ln in enumerate(lines):
    m = re.match(r"^    (get|head|post|put|patch|delete|options):", ln)
    if m:
        method = m.group(1)
    if method == "post" and ln == "      requestBody:":
        in_body = True
    out.append(ln)
    if in_body and ln == "        content:":
        in_body = False
        if "multipart/form-data" not in lines[i + 1]:
            out += ["          multipart/form-data:", "            schema:",
                    "              $ref: '#/components/schemas/MultipartBody'"]
open(p, "w", encoding="utf-8").write("\n".join(out))
