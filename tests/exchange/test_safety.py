"""XML safety: entities, DTDs, network and size are refused before anything is read."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.exchange.conftest import TODAY, document
from vanthu.exchange.edxml import EnvelopeInvalid, build_document, parse, verify

ENVELOPE_HEAD = b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader>'


def _refused(data: bytes, code: str, **kwargs) -> EnvelopeInvalid:
    with pytest.raises(EnvelopeInvalid) as refused:
        parse(data, **kwargs)
    assert refused.value.code == code
    return refused.value


def test_xxe_reading_a_local_file_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("mat-khau-bi-mat")
    data = (b'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file://' + str(secret).encode()
            + b'">]>' + ENVELOPE_HEAD + b"<Subject>&xxe;</Subject></MessageHeader></edXMLHeader></edXMLEnvelope>"
            b"</edXML>")
    refused = _refused(data, "dtd")
    assert "mat-khau" not in refused.message
    with pytest.raises(EnvelopeInvalid):
        verify(data)


def test_billion_laughs_is_refused():
    entities = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    data = b"<?xml version='1.0'?><!DOCTYPE edXML [" + entities + b"]>" + ENVELOPE_HEAD + \
        b"<Subject>&lol9;</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
    _refused(data, "dtd")


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY x "from the network">')

    def log_message(self, *args: object) -> None:
        return None


def test_external_dtd_is_refused_and_never_fetched():
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/edxml.dtd".encode()
        data = b'<?xml version="1.0"?><!DOCTYPE edXML SYSTEM "' + url + b'">' + ENVELOPE_HEAD + \
            b"<Subject>&x;</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>"
        _refused(data, "dtd")
        # Even past the DOCTYPE screen (a UTF-16 file hides it from a byte search), nothing is fetched.
        _refused(data.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
                 .encode("utf-16"), "dtd")
    finally:
        server.shutdown()
        server.server_close()
    assert _Recorder.hits == []


def test_parameter_entity_in_utf16_is_refused_after_parsing():
    text = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE edXML [<!ENTITY a "b">]>'
            '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>')
    _refused(text.encode("utf-16"), "dtd")


def test_oversize_envelope_is_refused_before_parsing():
    data = build_document(document(), today=TODAY)
    refused = _refused(data, "too_large", max_bytes=len(data) - 1)
    assert str(len(data)) in refused.message
    parse(data, max_bytes=len(data), today=TODAY)


def test_a_huge_text_node_is_refused():
    data = ENVELOPE_HEAD + b"<Subject>" + b"A" * 10_000_001 + b"</Subject></MessageHeader></edXMLHeader>" \
        b"</edXMLEnvelope></edXML>"
    _refused(data, "too_large")


def test_not_well_formed_xml_is_refused():
    _refused(b"1212" + build_document(document(), today=TODAY), "not_xml")
