"""libphonenumber's own answers (Python `phonenumbers`, pinned to the metadata the Rust
crate carries) for each line of standard input: whether the number is valid, read as a UK
number, and its E.164 form. One JSON object a line, in order."""
import json
import sys

import phonenumbers

for line in sys.stdin:
    text = line.rstrip("\n")
    out = {"input": text, "parsed": False, "valid": False, "e164": None}
    try:
        n = phonenumbers.parse(text, "GB")
        out["parsed"] = True
        out["valid"] = phonenumbers.is_valid_number(n)
        out["e164"] = phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    print(json.dumps(out))
