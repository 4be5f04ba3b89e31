"""The OpenAPI document: valid JSON, every endpoint listed, and every listed endpoint answers without a 5xx."""

from __future__ import annotations

import functools
import json
import re

from django.test import Client

from tests.api.conftest import BASE, register_incoming
from vanthu.workflow.models import Assignment

ENDPOINTS = {
    ("get", "/me"), ("get", "/units"), ("get", "/people"), ("get", "/document-types"),
    ("get", "/signing-authorities"), ("get", "/inbox"), ("get", "/documents"), ("get", "/documents/{document_id}"),
    ("get", "/documents/{document_id}/history"), ("get", "/documents/{document_id}/files/{sha256}"),
    ("get", "/registers/{kind}"), ("post", "/incoming"), ("post", "/documents/{document_id}/register"),
    ("get", "/search"),
    # statuses (issue 8)
    ("get", "/documents/{document_id}/recipients"), ("get", "/arrivals"),
    ("post", "/documents/{document_id}/recall/accept"), ("post", "/documents/{document_id}/recall/refuse"),
    ("post", "/documents/{document_id}/statuses/{status_id}/retry"),
    ("get", "/exchange/received"), ("get", "/exchange/received/{received_id}"),
    ("get", "/exchange/received/{received_id}/raw"),
    ("get", "/exchange/peers"),
    ("post", "/documents/{document_id}/return"), ("post", "/documents/{document_id}/present"),
    ("post", "/documents/{document_id}/direct"), ("post", "/assignments/{assignment_id}/forward"),
    ("post", "/assignments/{assignment_id}/start"), ("post", "/assignments/{assignment_id}/complete"),
    ("post", "/drafts"), ("post", "/documents/{document_id}/versions"), ("post", "/documents/{document_id}/submit"),
    ("post", "/documents/{document_id}/review"), ("post", "/documents/{document_id}/return-for-revision"),
    ("post", "/documents/{document_id}/sign"), ("post", "/documents/{document_id}/issue"),
    ("post", "/documents/{document_id}/recall"), ("post", "/documents/{document_id}/deliveries/{delivery_id}/retry"),
    ("post", "/documents/{document_id}/remote-signature"),
    ("post", "/documents/{document_id}/remote-signature/complete"), ("post", "/documents/{document_id}/copies"),
    ("get", "/work"), ("get", "/tasks/{task_id}"), ("post", "/tasks"), ("post", "/tasks/{task_id}/delegate"),
    ("post", "/tasks/{task_id}/progress"), ("get", "/tasks/{task_id}/notes/{note_id}/file"),
    ("post", "/tasks/{task_id}/complete"), ("post", "/tasks/{task_id}/return"),
    ("post", "/tasks/{task_id}/accept"), ("post", "/tasks/{task_id}/send-back"), ("post", "/tasks/{task_id}/seen"),
    ("post", "/tasks/{task_id}/extension"), ("post", "/extensions/{extension_id}/decide"), ("post", "/directives"),
    ("get", "/directives/{directive_id}"),
    # work records (issue 10)
    ("get", "/records"), ("post", "/records"), ("get", "/records/{record_id}"),
    ("post", "/records/{record_id}/documents"), ("post", "/records/{record_id}/close"),
    ("post", "/records/{record_id}/reopen"), ("post", "/records/{record_id}/files"),
    ("post", "/records/{record_id}/items/{ordinal}/remove"), ("get", "/documents/{document_id}/record-suggestions"),
    ("post", "/records/freeze"), ("post", "/records/unfreeze"),  # checklist point 50 (decision 0027)
    ("post", "/catalogues"), ("get", "/catalogues/{catalogue_id}"), ("post", "/catalogues/{catalogue_id}/entries"),
    ("post", "/catalogues/{catalogue_id}/approve"), ("post", "/catalogues/{catalogue_id}/publish"),
    ("post", "/catalogues/{catalogue_id}/entries/{entry_id}/open"), ("get", "/records-due"), ("post", "/transfers"),
    ("get", "/transfers/{transfer_id}"), ("post", "/transfers/{transfer_id}/accept"), ("post", "/handovers"),
    ("post", "/handovers/{handover_id}/confirm"),
    # KPIs (issue 14, checklist point 55)
    ("get", "/kpis"),
}


@functools.cache
def schema() -> dict:
    """The document as served (generated once per test process: generation takes about a second)."""
    response = Client().get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_openapi_document_is_json_and_lists_every_endpoint(db):
    document = schema()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "vanthu API"
    listed = {(method, path.removeprefix(BASE)) for path, item in document["paths"].items() for method in item}
    assert listed == ENDPOINTS


def test_every_operation_has_a_summary_and_the_bearer_scheme(db):
    document = schema()
    assert any(s.get("scheme") == "bearer" for s in document["components"]["securitySchemes"].values())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation.get("summary"), (method, path)
            assert operation.get("security"), (method, path)


def test_error_shape_is_documented(db):
    error = schema()["components"]["schemas"]["ErrorBody"]
    assert {"code", "message", "field"} <= set(error["properties"])


def test_the_docs_page_serves_swagger_ui_from_our_own_static_files(db):
    response = Client().get(f"{BASE}/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    index = Client().get(f"{BASE}/").json()
    assert index["openapi"] == f"{BASE}/openapi.json"
    assert index["docs"] == f"{BASE}/docs"


def test_every_operation_lists_its_error_answers_with_examples(db):
    for path, item in schema()["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = {"400", "401", "403", "404", "422"} | ({"409", "413"} if method == "post" else set())
            assert expected <= set(responses), (method, path, sorted(responses))
            assert responses["401"]["content"]["application/json"]["example"]["error"]["code"] == "token_missing"
            assert any(key.startswith("2") for key in responses), (method, path)
            for status, answer in responses.items():
                if status.startswith("2") and "application/json" in answer.get("content", {}):
                    assert "example" in answer["content"]["application/json"], (method, path, status)
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                assert "example" in media, (method, path)
            if "application/json" in body:
                assert "415" in responses, (method, path)
    review = schema()["paths"][f"{BASE}/documents/{{document_id}}/review"]["post"]
    assert "whitespace is not a comment" in review["description"]


def test_every_listed_endpoint_answers_without_a_server_error(cast, doc_types, incoming_pdf, api):
    from vanthu.workflow import actions as workflow

    doc = register_incoming(cast, doc_types, incoming_pdf, unit=cast.command, acting=cast.hoa)
    workflow.direct(document=doc, acting=cast.hung, text="Giao Sư đoàn 301", lead=cast.division)
    assignment = Assignment.objects.get(document=doc)
    values = {"document_id": doc.pk, "assignment_id": assignment.pk, "sha256": doc.current_file_id, "kind": "in",
              "delivery_id": 1, "status_id": 1, "received_id": 1,
              "task_id": assignment.pk, "extension_id": 1, "directive_id": 1, "note_id": 1,
              "record_id": 1, "ordinal": 1, "catalogue_id": 1, "entry_id": 1, "transfer_id": 1, "handover_id": 1}
    client = api(cast.hung)
    for path, item in schema()["paths"].items():
        concrete = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path).removeprefix(BASE)
        for method in item:
            response = client.get(concrete) if method == "get" else client.post(concrete, {})
            assert response.status_code < 500, (method, concrete, response.status_code)
            if response.status_code >= 400:
                assert "error" in response.json(), (method, concrete)
