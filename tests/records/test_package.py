"""The record package adapter (vanthu/records/package): written from plain values and real signed PDFs, checked
offline. These tests have no database (pytest-django refuses any query): the writer and the verifier need none."""

from __future__ import annotations

import json
import zipfile

import pytest
from asn1crypto import pem

from tests.records.package_helpers import flip_one_byte, issued_pdf, rewrite, roots_pem, write_package
from vanthu.records.package import MANIFEST, ROOTS, SIGNATURE, seal, verify
from vanthu.signing.bench import make_pki


@pytest.fixture(scope="module")
def chain():
    return make_pki("rsa")


@pytest.fixture(scope="module")
def other_pki():
    return make_pki("rsa")


@pytest.fixture(scope="module")
def pdfs(chain) -> list[bytes]:
    return [issued_pdf(chain), issued_pdf(chain, level="B-B")]


@pytest.fixture
def package(tmp_path, chain, pdfs):
    out = tmp_path / "ho-so.zip"
    write_package(chain, out, pdfs)
    return out


def test_intact_package_verifies_with_its_seal_time_and_the_pdfs_signatures(package, chain, pdfs):
    verdict = verify.verify(package, roots=[chain.root])
    assert verdict.exit_code == verify.EXIT_INTACT, verdict.problems
    assert verdict.roots_pinned
    assert verdict.seal is not None
    assert verdict.seal.ok
    assert verdict.seal.signer == "Bộ Tham mưu"
    assert verdict.seal.timestamp is not None
    assert verdict.seal.timestamp_problem == ""
    assert verdict.record["code"] == "000.00.01.H01.2026.05.TM"
    assert [s["valid"] for s in verdict.signatures] == [True, True]
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        # the signed PDFs byte for byte as issued
        assert archive.read("documents/001/files/Ke-hoach-1.pdf") == pdfs[0]
        assert archive.read("documents/002/files/Ke-hoach-2.pdf") == pdfs[1]
        manifest = json.loads(archive.read(MANIFEST))
    assert {e["path"] for e in manifest["files"]} == names - {MANIFEST, SIGNATURE}
    assert {"record/metadata.xml", "record/history.json", ROOTS, "documents/001/metadata.xml",
            "documents/001/validation.json", "documents/003/files/bang-so-lieu.csv"} <= names


def test_metadata_xml_has_the_circulars_fields_and_keeps_the_secrecy_mark(tmp_path, chain, pdfs):
    """Checklist point 32."""
    from tests.records.package_helpers import record_source
    from vanthu.records.package import metadata_xml

    source = record_source(pdfs, secret_mark="MẬT")
    record = metadata_xml.record_xml(source.metadata).decode()
    for element in ("<OrganId>000.00.01.H01</OrganId>", "<FileCatalog>2026</FileCatalog>",
                    "<FileNotation>05.TM</FileNotation>", "<Maintenance>Vĩnh viễn</Maintenance>",
                    "<StartDate>2026-01-05</StartDate>", "<DocTotal>3</DocTotal>"):
        assert element in record
    first = next(iter(source.documents))
    document = metadata_xml.document_xml(first.metadata, record=source.metadata).decode()
    for element in ("<DocOrdinal>1</DocOrdinal>", "<CodeNumber>11</CodeNumber>", "<CodeNotation>KH-TM</CodeNotation>",
                    "<FullName>Hoàng Văn Sơn</FullName>", "<OrganName>Sư đoàn 2</OrganName>",
                    "<SecurityLevel>MẬT</SecurityLevel>"):
        assert element in document


def test_the_validation_report_and_the_revocation_data_are_inside(package):
    with zipfile.ZipFile(package) as archive:
        report = json.loads(archive.read("documents/001/validation.json"))
    assert report["files"][0]["file"] == "documents/001/files/Ke-hoach-1.pdf"
    assert report["files"][0]["report"]["valid"] is True
    assert all(name.startswith("revocation/") for f in report["files"] for name in f["revocation"])


def test_one_byte_changed_in_a_pdf_is_named(package, chain):
    rewrite(package, lambda m: m.update({"documents/001/files/Ke-hoach-1.pdf":
                                          flip_one_byte(m["documents/001/files/Ke-hoach-1.pdf"])}))
    verdict = verify.verify(package, roots=[chain.root])
    assert verdict.exit_code == verify.EXIT_CHANGED
    assert [(p.code, p.path) for p in verdict.problems] == [("changed", "documents/001/files/Ke-hoach-1.pdf")]


def test_a_missing_and_an_extra_file_are_named(package, chain):
    def change(members):
        del members["documents/003/files/bang-so-lieu.csv"]
        members["documents/003/files/them.txt"] = b"added"

    rewrite(package, change)
    verdict = verify.verify(package, roots=[chain.root])
    assert verdict.exit_code == verify.EXIT_CHANGED
    assert sorted((p.code, p.path) for p in verdict.problems) == [
        ("extra", "documents/003/files/them.txt"), ("missing", "documents/003/files/bang-so-lieu.csv")]


def test_a_manifest_made_to_match_a_changed_file_breaks_the_seal(package, chain):
    def change(members):
        altered = flip_one_byte(members["documents/001/files/Ke-hoach-1.pdf"])
        members["documents/001/files/Ke-hoach-1.pdf"] = altered
        manifest = json.loads(members[MANIFEST])
        import hashlib

        for entry in manifest["files"]:
            if entry["path"] == "documents/001/files/Ke-hoach-1.pdf":
                entry["sha256"] = hashlib.sha256(altered).hexdigest()
        members[MANIFEST] = json.dumps(manifest).encode()

    rewrite(package, change)
    verdict = verify.verify(package, roots=[chain.root])
    assert verdict.exit_code == verify.EXIT_CHANGED
    assert [(p.code, p.path) for p in verdict.problems] == [("seal", SIGNATURE)]


def test_a_package_resealed_by_another_pki_is_refused_when_the_roots_are_pinned(package, chain, other_pki):
    def reseal(members):
        signer = other_pki.unit.signer
        members[SIGNATURE] = seal.sign(members[MANIFEST], signer=signer, timestamper=None)

    rewrite(package, reseal)
    verdict = verify.verify(package, roots=[chain.root])
    assert verdict.exit_code == verify.EXIT_CHANGED
    assert [p.code for p in verdict.problems] == ["untrusted"]


def test_by_default_the_carried_roots_are_used_and_said_not_pinned(package, chain, other_pki):
    verdict = verify.verify(package)
    assert verdict.exit_code == verify.EXIT_INTACT
    assert not verdict.roots_pinned
    assert verdict.roots == [chain.root.sha256.hex()]

    def forge(members):  # a forger's own PKI, its root put in the package: only a pinned root catches it
        members[SIGNATURE] = seal.sign(members[MANIFEST], signer=other_pki.unit.signer, timestamper=None)
        members[ROOTS] = roots_pem(other_pki)

    rewrite(package, forge)
    forged = verify.verify(package)
    assert forged.exit_code == verify.EXIT_CHANGED  # roots.pem is listed in the manifest: it changed
    assert ("changed", ROOTS) in [(p.code, p.path) for p in forged.problems]
    assert verify.verify(package, roots=[chain.root]).exit_code == verify.EXIT_CHANGED


def test_a_removed_seal_is_named(package, chain):
    rewrite(package, lambda m: m.pop(SIGNATURE))
    verdict = verify.verify(package, roots=[chain.root])
    assert [(p.code, p.path) for p in verdict.problems] == [("seal", SIGNATURE)]


def test_not_a_package_exits_2(tmp_path):
    text = tmp_path / "a.zip"
    text.write_bytes(b"not a zip at all")
    assert verify.verify(text).exit_code == verify.EXIT_NOT_PACKAGE
    other = tmp_path / "b.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "hi")
    verdict = verify.verify(other)
    assert verdict.exit_code == verify.EXIT_NOT_PACKAGE
    assert "manifest.json" in verdict.reason


def test_a_failed_write_leaves_no_file(tmp_path, chain, pdfs):
    out = tmp_path / "x.zip"

    def broken_seal(data: bytes) -> bytes:
        raise RuntimeError("token removed")

    from tests.records.package_helpers import record_source
    from vanthu.records.package import writer

    with pytest.raises(RuntimeError):
        writer.write(record_source(pdfs), out=out, seal=broken_seal, roots_pem=bytes(pem.armor("CERTIFICATE",
                                                                                              chain.root.dump())))
    assert list(tmp_path.iterdir()) == []
