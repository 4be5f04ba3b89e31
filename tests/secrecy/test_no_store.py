"""No copy left behind (issue 16, path 5): every response carrying a classified document is no-store."""

from __future__ import annotations

import hashlib

from tests.secrecy.conftest import arrival
from vanthu.core.choices import Secrecy


def test_a_classified_documents_file_page_and_json_are_no_store(cast, doc_types, incoming_pdf, client, api):
    doc = arrival(cast, doc_types, incoming_pdf, secrecy=Secrecy.CONFIDENTIAL)
    sha = hashlib.sha256(incoming_pdf).hexdigest()
    caller = api(cast.hung)
    for path in (f"/documents/{doc.pk}/files/{sha}", f"/documents/{doc.pk}", f"/documents/{doc.pk}/history",
                 "/documents", "/inbox", f"/registers/in?unit={cast.command.pk}&series=mat"):
        response = caller.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path
    client.force_login(cast.hung.user)
    for path in (f"/documents/{doc.pk}/", f"/documents/{doc.pk}/file/{sha}/", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_an_unclassified_file_may_still_be_cached_privately(cast, doc_types, incoming_pdf, api):
    doc = arrival(cast, doc_types, incoming_pdf, secrecy=Secrecy.NONE)
    sha = hashlib.sha256(incoming_pdf).hexdigest()
    response = api(cast.hung).get(f"/documents/{doc.pk}/files/{sha}")
    assert response["Cache-Control"] == "private, max-age=3600, immutable"
