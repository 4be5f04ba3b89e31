"""The API as an integrator sees it: `api(person)` is an HTTP client carrying that person's token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vanthu.core.actors import TEST_FIXTURES

BASE = "/api/v1"


class ApiClient:
    def __init__(self, secret: str | None, *, language: str = "vi") -> None:
        self.client = Client()
        self.secret = secret
        self.language = language

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        if self.secret is not None:
            headers["Authorization"] = f"Bearer {self.secret}"
        return headers | (extra or {})

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(BASE + path, params or {}, headers=self.headers(headers))

    def post(self, path: str, payload: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.post(BASE + path, payload or {}, content_type="application/json",
                                headers=self.headers(headers))

    def upload(self, path: str, data: dict[str, Any], files: dict[str, Any], **headers: str) -> Any:
        body = dict(data)
        for name, value in files.items():
            if isinstance(value, list):
                body[name] = [SimpleUploadedFile(n, b) for n, b in value]
            else:
                body[name] = SimpleUploadedFile(value[0], value[1])
        return self.client.post(BASE + path, body, headers=self.headers(headers))


def new_token(person: Any, *, days: int | None = None) -> str:
    from vanthu.api.actions import create_token

    _token, secret = create_token(person=person, name="kiểm thử", acting=TEST_FIXTURES, days=days)
    return secret


@pytest.fixture
def api(cast: Any) -> Callable[..., ApiClient]:
    """api(cast.lan) → a client authenticated as Lan; api(None) → no token."""

    def make(person: Any, *, language: str = "vi") -> ApiClient:
        return ApiClient(new_token(person) if person is not None else None, language=language)

    return make


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "field"} <= set(body["error"]), body
    return body["error"]


def incoming_form(cast: Any, doc_types: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit": cast.staff.pk, "doc_type": doc_types["Công văn"].pk, "organ_name": "Bộ Tổng Tham mưu",
        "subject": "V/v tổ chức trực sẵn sàng chiến đấu dịp Tết", "code_number": "125", "code_notation": "BTTM-TC",
        "urgency": 1,
    }
    data.update(overrides)
    return data


def encrypted(pdf: bytes) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    writer.encrypt("mat-khau")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def register_incoming(cast: Any, doc_types: dict[str, Any], pdf: bytes, **overrides: Any) -> Any:
    """A document Lan (clerk of the Staff) registered, made through the action as the pages would."""
    from tests.conftest import checked
    from vanthu.documents import actions

    values: dict[str, Any] = {"doc_type": doc_types["Công văn"], "organ_name": "Bộ Tổng Tham mưu",
                              "subject": "V/v trực sẵn sàng chiến đấu"}
    values.update(overrides)
    unit = values.pop("unit", cast.staff)
    acting = values.pop("acting", cast.lan)
    return actions.register_incoming(unit=unit, acting=acting, data=actions.IncomingData(**values),
                                     file=checked(pdf))


def received_document(cast: Any, doc_types: dict[str, Any], pdf: bytes, *, unit: Any = None) -> Any:
    """A document that arrived electronically and waits to be registered (status 'Chờ vào sổ').

    Issuing one needs a signature, so the test builds the arrival directly, as `_deliver` leaves it.
    """
    from django.utils import timezone

    from vanthu.core import files
    from vanthu.documents.models import Direction, Document, DocumentFile, ReceivedVia, Status

    stored = files.store_bytes(pdf, content_type="application/pdf")
    doc = Document.objects.create(
        direction=Direction.INCOMING, status=Status.RECEIVED, unit=unit or cast.staff, doc_type=doc_types["KH"],
        code_number="07", code_notation="KH-BTL", organ_name="Bộ Tư lệnh Quân khu 10",
        subject="Kế hoạch huấn luyện năm 2027", arrival_at=timezone.now(), received_via=ReceivedVia.INTERNAL,
        current_file=stored, created_by=cast.hoa,
    )
    DocumentFile.objects.create(document=doc, kind=DocumentFile.Kind.MAIN, name="07_KH-BTL.pdf", file=stored,
                                added_by=cast.hoa)
    return doc
