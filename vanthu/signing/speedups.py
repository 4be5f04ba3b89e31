"""Faster versions of a few hot routines of pyHanko 0.38 and asn1crypto 1.5, with the same results.

pyHanko reads PDF tokens one byte per `stream.read(1)` call and writes names one byte per `write` call.
Validating a dual-signed document spends about half its time there: reading the hex `/Contents` of each
signature (thousands of digits), decoding every name, and scanning to the next delimiter (measured with
cProfile; docs/benchmarks.md). The replacements below do the same work with regular expressions and
slices, and fall back to pyHanko's own code for any input outside the plain case (escapes in names,
comments inside hex strings), so results and errors are those of pyHanko.

Certificate matching spends most of its time comparing X.500 names with RFC 5280 normalisation
(asn1crypto's `Name.__eq__` and `Name.hashable`). Two shortcuts keep the same answers: names with identical
DER encodings are equal without normalising them, and pyHanko's issuer-and-serial match looks at the
serial number (a plain integer comparison) before the issuer name.

The same few certificates (the signers', the CAs') are parsed again from every signed PDF, and asn1crypto
parses lazily: every validation re-decodes names and extensions. `intern_certificate` keeps one parsed
object per DER encoding (bounded), and pyHanko's `extract_certificate_info` hands out those objects; a
parsed certificate is immutable in use, so sharing it changes nothing but the time.

The difference analysis (what was written after each signature) has its own replacements in
speedups_diff.py, certificate paths theirs in speedups_paths.py and the CMS checks of certificates theirs in
speedups_cms.py, installed with these.

tests/signing/test_speedups.py checks the replacements against the originals. `install()` is called by
pades.py and validation.py; it is idempotent. pyHanko and asn1crypto are pinned (pyproject.toml): re-check
these functions when upgrading them.
"""

from __future__ import annotations

import binascii
import contextlib
import re
from collections.abc import Iterator
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic, misc
from pyhanko.sign import general

from vanthu.signing.speedups_certs import intern_certificate as intern_certificate

PDF_WHITESPACE = misc.PDF_WHITESPACE
PDF_DELIMITERS = misc.PDF_DELIMITERS
# Bytes that may appear unescaped in a name: 0x21-0x7E except delimiters and '#'.
_NAME_PLAIN = re.compile(rb"[\x21-\x7e]*")
_NAME_SPECIAL = re.compile(rb"[#()<>\[\]{}/%]")
_HEX_BODY = re.compile(rb"[0-9a-fA-F \n\r\t\f\x00]*>")
_WHITESPACE_BYTES = re.compile(rb"[ \n\r\t\f\x00]")

ORIGINAL: dict[str, Any] = {}
_CLASS_PATTERNS: dict[bytes, re.Pattern[bytes]] = {}
CHUNK = 48


def _class_pattern(class_chars: bytes) -> re.Pattern[bytes]:
    pattern = _CLASS_PATTERNS.get(class_chars)
    if pattern is None:
        pattern = re.compile(b"[" + b"".join(re.escape(bytes([c])) for c in class_chars) + b"]")
        _CLASS_PATTERNS[class_chars] = pattern
    return pattern


def read_until_class(class_chars: bytes, stream: Any, maxchars: int | None = None) -> tuple[bytes, bool]:
    """misc._read_until_class: the bytes before the first byte of `class_chars` (which is consumed), and
    whether the end of the stream was reached; at most `maxchars` bytes."""
    if maxchars:
        return ORIGINAL["_read_until_class"](class_chars, stream, maxchars=maxchars)
    pattern = _class_pattern(class_chars)
    parts: list[bytes] = []
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return b"".join(parts), True
        found = pattern.search(chunk)
        if found is not None:
            parts.append(chunk[: found.start()])
            stream.seek(found.end() - len(chunk), 1)  # back to just after the delimiter
            return b"".join(parts), False
        parts.append(chunk)


def read_hex_string_from_stream(stream: Any) -> Any:
    """generic.read_hex_string_from_stream for the plain case (hex digits and whitespace up to '>')."""
    start = stream.tell()
    chunk = stream.read(CHUNK)
    data = chunk
    while True:
        end = data.find(b">", 1)
        if end >= 0 or not chunk:
            break
        chunk = stream.read(4096)
        data += chunk
    if end < 0 or not _HEX_BODY.fullmatch(data, 1, end + 1):
        stream.seek(start)
        return ORIGINAL["read_hex_string_from_stream"](stream)
    stream.seek(start + end + 1)
    digits = _WHITESPACE_BYTES.sub(b"", data[1:end])
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


# A literal string without nested parentheses whose escapes are all of the plain kinds pyHanko decodes one way:
# a character escape, or an octal code of three digits below 400 or of one or two digits not followed by a digit.
# Anything else (nesting, other escapes, escaped line breaks, octal codes pyHanko would reject) goes to pyHanko.
_ESCAPE = rb"\\(?:[nrtbf()\\ /%<>\[\]#_&$]|[0-3][0-7][0-7]|[0-7]{1,2}(?![0-9]))"
_LITERAL = re.compile(rb"\((?:[^()\\]|" + _ESCAPE + rb")*\)")
_ESCAPES = re.compile(rb"\\(?:([nrtbf()\\ /%<>\[\]#_&$])|([0-7]{1,3}))")
_CONTROL = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(found: re.Match[bytes]) -> bytes:
    char = found.group(1)
    if char is not None:
        return _CONTROL.get(char, char)
    return bytes((int(found.group(2), 8),))


def literal_body(literal: bytes) -> bytes:
    """The bytes of a literal string matched by _LITERAL (parentheses included), as pyHanko decodes them."""
    body = literal[1:-1]
    return _ESCAPES.sub(_unescape, body) if b"\\" in body else body


def read_string_literal_bytes(stream: Any) -> bytes:
    """generic._read_string_literal_bytes for strings without nested parentheses and with plain escapes only."""
    start = stream.tell()
    chunk = stream.read(CHUNK)
    end = chunk.find(b")", 1)
    if end > 0:
        body = chunk[1:end]
        if b"\\" not in body and b"(" not in body:
            stream.seek(start + end + 1)
            return body
    found = _LITERAL.match(chunk + stream.read(4096))
    if found is not None:
        stream.seek(start + found.end())
        return literal_body(found.group())
    stream.seek(start)
    return ORIGINAL["_read_string_literal_bytes"](stream)


_NUMERIC_ARRAY = re.compile(rb"\[([\x00\t\n\x0c\r 0-9+\-.,]*)\]")
_TOKENS = re.compile(rb"[^\x00\t\n\x0c\r ]+")


def read_array(stream: Any, container_ref: Any, in_content_stream: Any = generic.ContentOpReading.NO) -> Any:
    """ArrayObject.read_from_stream for arrays of plain numbers (widths, boxes, byte ranges), which pyHanko
    reads one byte and one number object at a time."""
    start = stream.tell()
    chunk = stream.read(4096)
    found = _NUMERIC_ARRAY.match(chunk)
    if found is None:
        stream.seek(start)
        return ORIGINAL["read_array"](stream, container_ref, in_content_stream=in_content_stream)
    stream.seek(start + found.end())
    result = generic.ArrayObject()
    for token in _TOKENS.findall(found.group(1)):
        text = token.decode("ascii")
        number = generic.FloatObject(text) if "." in text else generic.NumberObject(text)
        number.container_ref = container_ref  # as read_object does for each element
        result.append(number)
    return result


# One token of a dictionary in the plain case; anything else (comments, escapes in strings, unusual spacing
# inside references, numbers glued to other characters) makes read_dictionary hand over to pyHanko.
_DELIMITED = rb"(?=[\x00\t\n\x0c\r ()<>\[\]{}/%]|$)"
DICTIONARY_CHUNK = 8192
LARGE_DICTIONARY_CHUNK = 1 << 20  # bytes read to parse a dictionary that did not fit in DICTIONARY_CHUNK
_DICT_TOKEN = re.compile(
    rb"[\x00\t\n\x0c\r ]*(?:"
    rb"(?P<dopen><<)|(?P<dclose>>>)|(?P<aopen>\[)|(?P<aclose>\])"
    rb"|(?P<ref>([1-9][0-9]{0,9})[ \t\n\r\x0c]([0-9]{1,5})[ \t\n\r\x0c]R)(?=[\x00\t\n\x0c\r ()<>\[\]{}/%])"
    rb"|(?P<num>[+\-]?[0-9]+(?:\.[0-9]*)?)(?![+,\-.0-9])"
    rb"|(?P<name>/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)"
    rb"|(?P<str>" + _LITERAL.pattern + rb")"
    rb"|(?P<hex><[0-9A-Fa-f\x00\t\n\x0c\r ]*>)"
    rb"|(?P<kw>true|false|null)" + _DELIMITED + rb")"
)


# An array of numbers, each followed by whitespace or the closing bracket (what the number token accepts).
_NUMBERS = re.compile(rb"\[((?:[\x00\t\n\x0c\r ]*[+\-]?[0-9]+(?:\.[0-9]*)?(?=[\x00\t\n\x0c\r \]]))*)"
                      rb"[\x00\t\n\x0c\r ]*\]")


class _Unusual(Exception):
    """Input outside the plain case: pyHanko's own parser takes over."""


def _parse_value(data: bytes, pos: int, container_ref: Any, handler: Any) -> tuple[Any, int]:
    found = _DICT_TOKEN.match(data, pos)
    if found is None:
        raise _Unusual
    kind, end = found.lastgroup, found.end()
    value: Any
    if kind == "name":
        value = generic._decode_name(found.group(kind)[1:])
    elif kind == "num":
        text = found.group(kind).decode("ascii")
        value = generic.FloatObject(text) if "." in text else generic.NumberObject(text)
    elif kind == "ref":
        value = generic.IndirectObject(int(found.group(6)), int(found.group(7)), handler)
    elif kind == "str":
        value = generic.pdf_string(literal_body(found.group(kind)))
    elif kind == "hex":
        digits = _WHITESPACE_BYTES.sub(b"", found.group(kind)[1:-1])
        value = generic.pdf_string(binascii.unhexlify(digits + b"0" if len(digits) % 2 else digits))
    elif kind == "kw":
        word = found.group(kind)
        value = generic.NullObject() if word == b"null" else generic.BooleanObject(word == b"true")
    elif kind == "dopen":
        entries, end = _parse_entries(data, end, container_ref, handler)
        value = generic.DictionaryObject(entries)
    elif kind == "aopen" and (numbers := _NUMBERS.match(data, end - 1)) is not None:
        # an array of plain numbers (font widths, boxes): the same objects as the loop below, one match
        value = generic.ArrayObject()
        for token in _TOKENS.findall(numbers.group(1)):
            text = token.decode("ascii")
            number = generic.FloatObject(text) if "." in text else generic.NumberObject(text)
            number.container_ref = container_ref
            value.append(number)
        end = numbers.end()
    elif kind == "aopen":
        value = generic.ArrayObject()
        while True:
            closing = _DICT_TOKEN.match(data, end)
            if closing is not None and closing.lastgroup == "aclose":
                end = closing.end()
                break
            item, end = _parse_value(data, end, container_ref, handler)
            value.append(item)
    else:
        raise _Unusual
    value.container_ref = container_ref  # as read_object does for every object it reads
    return value, end


def _parse_entries(data: bytes, pos: int, container_ref: Any, handler: Any) -> tuple[dict[Any, Any], int]:
    entries: dict[Any, Any] = {}
    while True:
        found = _DICT_TOKEN.match(data, pos)
        if found is None:
            raise _Unusual
        if found.lastgroup == "dclose":
            return entries, found.end()
        if found.lastgroup != "name":
            raise _Unusual
        key = generic._decode_name(found.group("name")[1:])
        value, pos = _parse_value(data, found.end(), container_ref, handler)
        if key in entries:
            raise _Unusual  # duplicate keys: pyHanko decides (warning, or error in strict mode)
        entries[key] = value


def read_dictionary(stream: Any, container_ref: Any, as_metadata_stream: bool = False,
                    in_content_stream: Any = generic.ContentOpReading.NO) -> Any:
    """DictionaryObject.read_from_stream, parsing the dictionary with one regular expression in the plain case
    (names, numbers, references, strings with plain escapes, nested arrays and dictionaries); the stream
    payload that may follow is read by pyHanko's own code."""
    start = stream.tell()
    if in_content_stream:
        return ORIGINAL["read_dictionary"](stream, container_ref, as_metadata_stream=as_metadata_stream,
                                           in_content_stream=in_content_stream)
    handler = container_ref.get_pdf_handler()
    size = DICTIONARY_CHUNK
    while True:
        chunk = stream.read(size)
        try:
            if chunk[:2] != b"<<":
                raise _Unusual
            data, end = _parse_entries(chunk, 2, container_ref, handler)
            break
        except (_Unusual, ValueError, ArithmeticError):
            stream.seek(start)
            # a dictionary longer than the chunk (a signature's /Contents): once more with all of it
            if len(chunk) == size and size < LARGE_DICTIONARY_CHUNK:
                size = LARGE_DICTIONARY_CHUNK
                continue
            return ORIGINAL["read_dictionary"](stream, container_ref, as_metadata_stream=as_metadata_stream,
                                               in_content_stream=in_content_stream)
    stream.seek(start + end)
    stream_data = generic._maybe_read_stream_payload(stream, data, handler)
    if stream_data is None:
        return generic.DictionaryObject(data)
    stream_class: Any = generic.StreamObject
    if as_metadata_stream:
        from pyhanko.pdf_utils.metadata.xmp_xml import MetadataStream

        stream_class = MetadataStream
    return stream_class(data, encoded_data=stream_data)


def decode_name(name_bytes: bytes) -> generic.NameObject:
    """generic._decode_name for names without escapes."""
    if _NAME_PLAIN.fullmatch(name_bytes) and not _NAME_SPECIAL.search(name_bytes):
        try:
            text = name_bytes.decode("utf8")
        except ValueError:
            text = name_bytes.decode("latin1")
        return generic.NameObject("/" + text)
    return ORIGINAL["_decode_name"](name_bytes)


def write_name(self: generic.NameObject, stream: Any, handler: Any = None, container_ref: Any = None) -> None:
    """NameObject.write_to_stream for names that need no escaping."""
    encoded = self.encode("utf8")
    body = encoded[1:]
    if encoded[:1] == b"/" and _NAME_PLAIN.fullmatch(body) and not _NAME_SPECIAL.search(body):
        stream.write(encoded)
        return
    ORIGINAL["write_name"](self, stream, handler, container_ref)


def match_issuer_serial(expected_issuer_serial: Any, cert: asn1_x509.Certificate) -> bool:
    """general.match_issuer_serial, comparing the serial numbers first (the result is `issuer matches and
    serial matches` either way)."""
    if expected_issuer_serial["serial_number"] != cert["tbs_certificate"]["serial_number"]:
        return False
    return ORIGINAL["match_issuer_serial"](expected_issuer_serial, cert)


def name_equal(self: asn1_x509.Name, other: Any) -> bool:
    """asn1crypto Name.__eq__: identical encodings are equal names, and so are names with the same `hashable`
    (each RDN's types and RFC 4518-prepared values, remembered per encoding below: the same multiset of
    (type, value) in each RDN, which is what __eq__ compares). Anything else: asn1crypto decides."""
    if isinstance(other, asn1_x509.Name) and (self.dump() == other.dump() or self.hashable == other.hashable):
        return True
    return ORIGINAL["name_eq"](self, other)


_HASHABLE: dict[bytes, str] = {}
_PREPPED: dict[bytes, str] = {}
REMEMBERED = 4096  # entries per cache; a full cache is emptied and refilled


def _remembered(cache: dict[bytes, str], value: Any, original: str) -> str:
    """The original property's value for `value`, computed once per DER encoding (it depends on nothing else)."""
    key = value.dump()
    found = cache.get(key)
    if found is None:
        found = ORIGINAL[original].fget(value)
        if len(cache) > REMEMBERED:
            cache.clear()
        cache[key] = found
    return found


def name_hashable(self: asn1_x509.Name) -> str:
    """asn1crypto Name.hashable, remembered by encoding."""
    return _remembered(_HASHABLE, self, "name_hashable")


def prepped_value(self: asn1_x509.NameTypeAndValue) -> str:
    """asn1crypto NameTypeAndValue.prepped_value (RFC 4518 string preparation), remembered by encoding."""
    if self._prepped is None:
        self._prepped = _remembered(_PREPPED, self, "prepped_value")
    return self._prepped


def extract_certificate_info(signed_data: Any) -> Any:
    """general.extract_certificate_info over interned certificates."""
    certs = []
    attr_certs = []
    for c in signed_data["certificates"]:
        if c.name == "certificate":
            certs.append(intern_certificate(c.chosen.untag()))
        elif c.name == "v2_attr_cert":
            attr_certs.append(c.chosen.untag())
    signer_info = general.extract_signer_info(signed_data)
    signer_cert, other_certs = general._partition_certs(certs, signer_info)
    return general.SignedDataCerts(signer_cert=signer_cert, other_certs=other_certs, attribute_certs=attr_certs)


CERTIFICATE_INFO_USERS = ("pyhanko.sign.validation.generic_cms", "pyhanko.sign.validation.dss",
                          "pyhanko.sign.validation.ades")


_PATCHED: dict[str, tuple[Any, str, Any]] = {}  # key -> (owner object, attribute, replacement)


def _patch(key: str, owner: Any, attribute: str, replacement: Any) -> None:
    ORIGINAL[key] = owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
    _PATCHED[key] = (owner, attribute, replacement)
    setattr(owner, attribute, replacement)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """pyHanko and asn1crypto as shipped, for the time of the block (the benchmark's plain pyHanko runs)."""
    for key, (owner, attribute, _replacement) in _PATCHED.items():
        setattr(owner, attribute, ORIGINAL[key])
    try:
        yield
    finally:
        for owner, attribute, replacement in _PATCHED.values():
            setattr(owner, attribute, replacement)


def install() -> None:
    """Put the replacements in place (once per process), unless VANTHU_SIGNING_SPEEDUPS=false."""
    from django.conf import settings

    if ORIGINAL or not getattr(settings, "SIGNING_SPEEDUPS", True):
        return
    import importlib

    _patch("prepped_value", asn1_x509.NameTypeAndValue, "prepped_value", property(prepped_value))
    _patch("extract_certificate_info", general, "extract_certificate_info", extract_certificate_info)
    for module_name in CERTIFICATE_INFO_USERS:
        module = importlib.import_module(module_name)
        if getattr(module, "extract_certificate_info", None) is ORIGINAL["extract_certificate_info"]:
            _patch(f"extract_certificate_info:{module_name}", module, "extract_certificate_info",
                   extract_certificate_info)
    _patch("read_array", generic.ArrayObject, "read_from_stream", staticmethod(read_array))
    _patch("read_dictionary", generic.DictionaryObject, "read_from_stream", staticmethod(read_dictionary))
    _patch("_read_until_class", misc, "_read_until_class", read_until_class)
    _patch("read_hex_string_from_stream", generic, "read_hex_string_from_stream", read_hex_string_from_stream)
    _patch("_decode_name", generic, "_decode_name", decode_name)
    _patch("_read_string_literal_bytes", generic, "_read_string_literal_bytes", read_string_literal_bytes)
    _patch("write_name", generic.NameObject, "write_to_stream", write_name)
    _patch("match_issuer_serial", general, "match_issuer_serial", match_issuer_serial)
    _patch("name_eq", asn1_x509.Name, "__eq__", name_equal)
    _patch("name_hashable", asn1_x509.Name, "hashable", property(name_hashable))
    from vanthu.signing import speedups_cms, speedups_diff, speedups_paths

    for module in (speedups_diff, speedups_paths, speedups_cms):
        for key, owner, attribute, replacement in module.patches():
            _patch(key, owner, attribute, replacement)
            module.ORIGINAL[key] = ORIGINAL[key]
