"""Checklist point 17 (Circular 01/2019): a scan of a paper document is checked on receipt — PDF ≥ 1.4, colour,
≥ 200 dpi, 100 % scale — with a warning and the figures when it falls short (received all the same); the unit's
organisation signature goes top right with the red seal image and the time; scans in the network scanner's folder
are taken into the clerk's arrivals by a periodic job."""

from __future__ import annotations

import io

from django.contrib.messages import get_messages
from django.urls import reverse
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from tests.conftest import checked
from tests.pages.test_incoming_pages import form, pdf_upload
from vanthu.audit.models import AuditEvent
from vanthu.documents import jobs, scans
from vanthu.documents.models import Document, Scan, Status
from vanthu.org.second_factor_testing import code_for

MM = 72 / 25.4


def scan(mode: str = "RGB", dpi: int = 200, size_mm: tuple[float, float] = (210, 297)) -> bytes:
    """What a scanner writes: one image per page filling it, at `dpi`."""
    pixels = (round(size_mm[0] / 25.4 * dpi), round(size_mm[1] / 25.4 * dpi))
    image = Image.new(mode, pixels, "white" if mode != "1" else 1)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=dpi)
    return out.getvalue()


def test_checklist_point_17_scan_check_figures_and_warnings():
    """Checklist point 17: PDF ≥ 1.4, colour, ≥ 200 dpi, 100 % scale."""
    good = scans.check(scan())
    assert (good.scanned, good.version, good.warnings) == (True, "1.4", [])
    assert good.pages[0].dpi == 200
    assert good.pages[0].colour
    grey = scans.check(scan("L", 150))
    assert any("150 dpi" in w for w in grey.warnings)
    assert any("thang xám" in w for w in grey.warnings)
    assert any("thang xám" in w for w in scans.check(scan("1", 300)).warnings)
    shrunk = scans.check(scan(size_mm=(190, 270)))
    assert any("190 × 270 mm" in w and "100 %" in w for w in shrunk.warnings)
    old = scan().replace(b"%PDF-1.4", b"%PDF-1.3", 1)
    assert any("1.3" in w for w in scans.check(old).warnings)
    assert not scans.check(b"%PDF-1.7 not a real pdf").scanned


def test_checklist_point_17_a_greyscale_low_dpi_scan_is_received_with_a_warning_and_the_figures(client, cast,
                                                                                             doc_types):
    client.force_login(cast.hoa.user)
    response = client.post("/documents/incoming/new/", form(doc_types, cast, pdf_upload(scan("L", 150), "quet.pdf")))
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.status == Status.REGISTERED  # received all the same
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any("Thông tư 01/2019" in w and "150 dpi" in w for w in warnings), warnings
    assert any("thang xám" in w for w in warnings)
    event = AuditEvent.objects.get(verb="documents.scan.checked")
    assert event.data["pages"][0]["dpi"] == 150
    assert event.data["pages"][0]["colour"] is False
    assert Scan.objects.get(document=document).warnings == event.data["warnings"]


def test_checklist_point_17_a_born_digital_pdf_is_no_scan(client, cast, doc_types, incoming_pdf):
    client.force_login(cast.hoa.user)
    response = client.post("/documents/incoming/new/", form(doc_types, cast, pdf_upload(incoming_pdf)))
    assert response.status_code == 302
    assert not Scan.objects.exists()
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def test_checklist_point_17_the_scanner_folder_is_taken_into_the_clerks_arrivals(client, cast, settings, tmp_path):
    settings.SCAN_DIR = str(tmp_path)
    staff = tmp_path / "TM"
    staff.mkdir()
    page = scan()  # PIL stamps the creation time: the same bytes are kept for the second drop below
    (staff / "cong-van-1.pdf").write_bytes(page)
    (staff / "hong.pdf").write_bytes(b"not a pdf at all")
    (tmp_path / "KHONG-CO").mkdir()
    (tmp_path / "KHONG-CO" / "x.pdf").write_bytes(scan())
    assert jobs.pick_up_scans.call() == "received 1, rejected 1"
    arrival = Document.objects.get()
    assert (arrival.unit, arrival.status, arrival.received_via) == (cast.staff, Status.RECEIVED, "paper")
    assert (staff / "done" / "cong-van-1.pdf").exists()
    assert (staff / "rejected" / "hong.pdf").exists()
    assert "PDF" in (staff / "rejected" / "hong.txt").read_text(encoding="utf-8")
    assert (tmp_path / "KHONG-CO" / "x.pdf").exists()  # no such unit: left alone
    assert AuditEvent.objects.filter(verb="documents.scan.received").count() == 1
    assert AuditEvent.objects.filter(verb="documents.scan.received.refused").count() == 1
    # the same scan again is the same arrival
    (staff / "lan-nua.pdf").write_bytes(page)
    assert jobs.pick_up_scans.call() == "received 1, rejected 0"
    assert Document.objects.count() == 1
    client.force_login(cast.lan.user)
    page = client.get(reverse("arrivals")).content.decode()
    assert "Bản quét cong-van-1.pdf" in page
    client.force_login(cast.hoa.user)  # the Command's clerk: not the Staff's arrivals
    assert "Bản quét cong-van-1.pdf" not in client.get(reverse("arrivals")).content.decode()


def test_checklist_point_17_the_units_seal_signature_top_right_with_the_seal_image(client, cast, doc_types,
                                                                                 settings):
    from vanthu.documents import actions
    from vanthu.signing.testing import SIGNING_SECRET, equip_cast

    settings.KEY_SCRYPT_LOG2N = 10
    equip_cast(cast, people=[], units=["staff"])
    data = actions.IncomingData(doc_type=doc_types["Công văn"], organ_name="UBND tỉnh A",
                                subject="V/v phối hợp diễn tập", received_via="paper")
    document = actions.register_incoming(unit=cast.staff, acting=cast.lan, data=data,
                                         file=checked(scan(), "quet.pdf"))
    client.force_login(cast.lan.user)
    detail = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert reverse("scan_seal", args=[document.pk]) in detail
    response = client.post(reverse("scan_seal", args=[document.pk]), {"secret": SIGNING_SECRET,
                                                                      "otp": code_for(cast.lan),
                                                                      "expected_version": document.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    document.refresh_from_db()
    signed = document.current_file.read_bytes()
    reader = PdfFileReader(io.BytesIO(signed), strict=False)  # PIL writes generation 65536 for object 0
    [signature] = reader.embedded_signatures
    assert validate_pdf_signature(signature).intact
    widget = signature.sig_field["/Kids"][0] if "/Kids" in signature.sig_field else signature.sig_field
    _x1, _y1, x2, y2 = (float(v) for v in widget["/Rect"])
    page_w, page_h = 210 * MM, 297 * MM
    assert abs(x2 - (page_w - 15 * MM)) < 2 and abs(y2 - (page_h - 4 * MM)) < 2  # noqa: PT018 - top right
    appearance = widget["/AP"]["/N"]
    resources = appearance["/Resources"]["/XObject"]
    assert any(x.get_object().get("/Subtype") == "/Image" or "/XObject" in x.get_object().get("/Resources", {})
               for x in resources.values())  # the seal image is drawn
    assert Scan.objects.get(document=document).sealed_at is not None
    assert AuditEvent.objects.filter(verb="documents.scan.sealed", target_id=str(document.pk)).exists()
    # once only
    assert client.get(reverse("scan_seal", args=[document.pk])).status_code == 404
