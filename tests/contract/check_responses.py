"""Checks real API answers against the schemas the OpenAPI document gives their operations.

Reads JSON on stdin: {"doc": <the OpenAPI document>, "answers": [{"method", "path", "status",
"body"}]}, where "path" is the document's path template. Prints each mismatch and exits 1 if
there is any; every answer must find a schema (a 2xx, its exact 4xx/5xx, or "4XX").
"""
import json
import sys

from openapi_schema_validator import OAS31Validator

given = json.load(sys.stdin)
doc = given["doc"]
bad = 0
for a in given["answers"]:
    op = doc["paths"][a["path"]][a["method"]]
    responses = op["responses"]
    status = str(a["status"])
    r = responses.get(status) or responses.get(status[0] + "XX")
    if r is None:
        print(f"{a['method']} {a['path']}: no response {status} in the document")
        bad += 1
        continue
    schema = r["content"]["application/json"]["schema"]
    root = dict(schema)
    root["components"] = doc["components"]
    errors = list(OAS31Validator(root).iter_errors(a["body"]))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        print(f"{a['method']} {a['path']} {status} at {where or '(top)'}: {e.message[:300]}")
    bad += len(errors)
print(f"{len(given['answers'])} answers checked, {bad} problems")
sys.exit(1 if bad else 0)
