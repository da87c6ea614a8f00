#!/usr/bin/env python3
"""Parse .eml files with Python's email package in strict mode and print what a reader would see.

An independent check of the Mail module: a second implementation, not ours, must read back exactly
what we put in. Usage: parse_strict.py FILE.eml ...; prints one JSON array with an object per file.
Any defect the parser records is reported; with policy.strict most defects raise instead, and then
the object carries "error". Standard library only.
"""
import hashlib
import json
import sys
from email import policy, utils
from email.header import decode_header, make_header
from email.parser import BytesParser


def tree(part):
    node = {"type": part.get_content_type()}
    if part.is_multipart():
        node["parts"] = [tree(child) for child in part.iter_parts()]
    return node


def addresses(header):
    """The mailboxes as the strict header registry reads them."""
    if header is None:
        return []
    return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses]


def rfc2047_addresses(raw_values):
    """The mailboxes decoded as RFC 2047 section 6.2 says: whitespace between adjacent encoded-words
    is dropped. The header registry keeps it as a space in display names (a phrase), even in
    Python 3.13, so a name long enough to need two encoded-words reads back with an extra space
    there; email.header.decode_header follows the RFC."""
    unfolded = [v.replace("\r\n", "").replace("\n", "") for v in raw_values or []]
    return [
        {"name": str(make_header(decode_header(name))), "address": address}
        for name, address in utils.getaddresses(unfolded)
    ]


def text_of(part, data):
    """A text attachment decoded by its charset (UTF-8 when none is named); None for other types
    and for bytes that are not valid in that charset (a test may send arbitrary bytes as text/csv)."""
    if part.get_content_maintype() != "text":
        return None
    try:
        return data.decode(part.get_content_charset() or "utf-8")
    except (UnicodeDecodeError, LookupError):
        return None


def parse(path):
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        msg = BytesParser(policy=policy.strict).parsebytes(raw)
        legacy = BytesParser(policy=policy.compat32).parsebytes(raw)
        result = {
            "file": path,
            "subject": str(msg["subject"]) if msg["subject"] is not None else None,
            "from": addresses(msg["from"]),
            "to": addresses(msg["to"]),
            "replyTo": addresses(msg["reply-to"]),
            "rfc2047": {
                "from": rfc2047_addresses(legacy.get_all("from")),
                "to": rfc2047_addresses(legacy.get_all("to")),
                "replyTo": rfc2047_addresses(legacy.get_all("reply-to")),
            },
            "date": msg["date"].datetime.isoformat() if msg["date"] is not None else None,
            "messageID": str(msg["message-id"]) if msg["message-id"] is not None else None,
            "extra": {k: str(v) for k, v in msg.items() if k.lower().startswith(("x-", "auto-"))},
            "defects": [repr(d) for d in msg.defects],
            "partDefects": [],
            "tree": tree(msg),
            "text": None,
            "html": None,
            "attachments": [],
        }
        for part in msg.walk():
            result["partDefects"] += [repr(d) for d in part.defects if part is not msg]
            if part.is_multipart():
                continue
            if part.is_attachment():
                data = part.get_payload(decode=True)
                result["attachments"].append(
                    {
                        "filename": part.get_filename(),
                        "contentType": part.get_content_type(),
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        # A text file's content as the reader's client decodes it, for checks on
                        # what is in it (the report tests read the flags CSV); null otherwise.
                        "text": text_of(part, data),
                    }
                )
            elif part.get_content_type() == "text/plain":
                result["text"] = part.get_content().replace("\r\n", "\n")
            elif part.get_content_type() == "text/html":
                result["html"] = part.get_content().replace("\r\n", "\n")
        return result
    except Exception as error:  # strict mode raises on defects; report them as data
        return {"file": path, "error": f"{type(error).__name__}: {error}"}


if __name__ == "__main__":
    json.dump([parse(p) for p in sys.argv[1:]], sys.stdout, ensure_ascii=False)
