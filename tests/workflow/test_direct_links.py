"""The leader's direction page links the document's PDF as the document page does (decision 0035): the signed
link minted for the leader and his session when the links are on, the checked path when they are off or the
document carries a secrecy mark."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import checked
from vanthu.core.choices import Urgency
from vanthu.documents import actions as documents
from vanthu.workflow import actions

SECRET = "s" * 40
ON = {"FILES_LINKS": True, "FILES_HANDOFF": "nginx", "FILES_LINK_SECRET": SECRET, "FILES_LINK_SECONDS": 60,
      "FILES_LINK_PREFIX": "/_vanthu_link/", "FILES_URL": ""}


def presented(cast, doc_types, incoming_pdf, *, secrecy: int = 0):
    data = documents.IncomingData(doc_type=doc_types["Công văn"], organ_name="Bộ Quốc phòng",
                                  subject="V/v diễn tập phòng thủ", urgency=Urgency.URGENT, secrecy=secrecy)
    doc = documents.register_incoming(unit=cast.command, acting=cast.hoa, data=data, file=checked(incoming_pdf))
    actions.present(document=doc, acting=cast.hoa, to=cast.hung, note="Kính trình Tư lệnh")
    return doc


@pytest.mark.django_db
def test_the_direction_page_links_the_pdf_signed_when_on_and_checked_when_off(client, cast, doc_types, incoming_pdf):
    doc = presented(cast, doc_types, incoming_pdf)
    sha = doc.current_file_id
    checked_path = reverse("document_file", args=[doc.pk, sha])
    client.force_login(cast.hung.user)
    with override_settings(**ON):
        page = client.get(reverse("document_direct", args=[doc.pk])).content.decode()
        detail = client.get(reverse("document_detail", args=[doc.pk])).content.decode()
    signed = re.findall(r'href="(/_vanthu_link/p/[^"]+)"', page)
    assert len(signed) == 1
    assert f"/_vanthu_link/p/{cast.hung.pk}/{doc.pk}/{sha}/" in signed[0]
    assert checked_path not in page
    # the same name as the document page's link to the same file (only the expiry may differ by a second)
    name = signed[0].split("?")[0].rsplit("/", 1)[1]
    assert re.search(rf'href="/_vanthu_link/p/{cast.hung.pk}/{doc.pk}/{sha}/{re.escape(name)}\?', detail)
    with override_settings(**{**ON, "FILES_LINKS": False}):
        page = client.get(reverse("document_direct", args=[doc.pk])).content.decode()
    assert "/_vanthu_link/" not in page
    assert f'href="{checked_path}"' in page


@pytest.mark.django_db
def test_the_direction_page_of_a_marked_document_keeps_the_checked_path(client, cast, doc_types, incoming_pdf):
    doc = presented(cast, doc_types, incoming_pdf, secrecy=1)
    client.force_login(cast.hung.user)
    with override_settings(**ON):
        page = client.get(reverse("document_direct", args=[doc.pk])).content.decode()
    assert "/_vanthu_link/" not in page
    assert f'href="{reverse("document_file", args=[doc.pk, doc.current_file_id])}"' in page
