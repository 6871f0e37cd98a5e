"""Checks real API answers against the schemas the OpenAPI document gives their operations.

Reads JSON on stdin: {"doc": <the OpenAPI document>, "answers": [{"method", "path", "status",
"body"}]}, where "path" is the document's path template. Prints each mismatch and exits 1 if
there is any; every answer must find a schema (a 2xx, its exact 4xx/5xx, or "4XX"). Formats
are checked too: an instant must be RFC 3339 `date-time`, a day `date`.
"""
import json
import sys

from openapi_schema_validator import OAS31Validator
# jsonschema checks `date-time` only with this installed, and would pass every string
# without it: import it, so its absence fails here rather than weakening the check.
import rfc3339_validator  # noqa: F401

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
    validator = OAS31Validator(root, format_checker=OAS31Validator.FORMAT_CHECKER)
    errors = list(validator.iter_errors(a["body"]))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        print(f"{a['method']} {a['path']} {status} at {where or '(top)'}: {e.message[:300]}")
    bad += len(errors)
print(f"{len(given['answers'])} answers checked, {bad} problems")
sys.exit(1 if bad else 0)
