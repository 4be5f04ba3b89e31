"""`GET /exchange/v1/agencies` (checklist point 47, decision 0034): a vanthu deployment acting as the military hub
serves its list of agencies — its units with both organ ids and its directory of outside agencies — in the VNPT
axis's JSON shape (`org.agency_list.encode`). The request is authenticated as every request between peers is
(`views._authenticated`: signature over GET, the path and the empty body, the certificate chained to the trust
roots of the peer that covers the claimed organ id, a fresh timestamp, a new nonce): 401 for a request that does
not authenticate, 403 for a sender no active HTTP peer covers. Nothing leaves the database but names and codes.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from vanthu.exchange import agency_hub, views
from vanthu.org import agency_list


@login_not_required
@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    peer = views._authenticated(request, b"")
    if isinstance(peer, JsonResponse):
        return peer
    body = agency_list.encode(agency_hub.served_rows())
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
