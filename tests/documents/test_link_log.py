"""The parser of nginx's log of link downloads (documents/link_log.py, an adapter: bytes in, values out)."""

from __future__ import annotations

import datetime as dt

from vanthu.documents import link_log

SHA = "ab" * 32
PREFIX = "/_vanthu_link/"


def test_a_line_in_nginx_default_escaping_gives_the_serve_with_its_name_decoded():
    raw = (f"1765000000.123 206 1024 5f1c00e2 2001:db8::7 {PREFIX}a/12/345/{SHA}/"
           r"C\xC3\xB4ng v\xC4\x83n s\xE1\xBB\x91 12.pdf").encode("ascii")
    served = link_log.parse_line(raw, prefix=PREFIX)
    assert served == link_log.Served(
        at=dt.datetime(2025, 12, 6, 5, 46, 40, 123000, tzinfo=dt.UTC), status=206, size=1024, request_id="5f1c00e2",
        ip="2001:db8::7", via="link-api", person_id=12, document_id=345, sha256=SHA, name="Công văn số 12.pdf")
    assert served.served


def test_lines_not_in_the_format_say_why():
    good = f"1765000000.123 200 10 abc 10.0.0.1 {PREFIX}p/1/2/{SHA}/x.pdf"
    cases = {
        "": "fields",
        good.replace("1765000000.123", "soon"): "fields",
        good.replace("10.0.0.1", "10.0.0.300"): "fields",
        good.replace(" abc ", " a%c "): "request_id",
        good.replace(PREFIX, "/_vanthu_files/"): "uri",
        good.replace("p/1/", "x/1/"): "uri",
        good.replace("/1/2/", "/1/\\xD9\\xA3/"): "uri",  # an Arabic-Indic digit is not an id
        good.replace(SHA, SHA.upper()): "uri",
        good.replace("/x.pdf", "/"): "uri",
        good + "x" * link_log.MAX_LINE: "too_long",
    }
    for line, reason in cases.items():
        parsed = link_log.parse_line(line.encode("ascii"), prefix=PREFIX)
        assert isinstance(parsed, link_log.Malformed), line
        assert parsed.reason == reason, line
    assert not link_log.parse_line(good.replace(" 200 ", " 403 ").encode(), prefix=PREFIX).served


def test_only_complete_lines_are_taken():
    assert link_log.complete_lines(b"one\ntwo\nthr") == ([b"one", b"two"], 8)
    assert link_log.complete_lines(b"partial") == ([], 0)
    assert link_log.complete_lines(b"") == ([], 0)
