"""The results page (with facets and filters) and its exports: XLSX, DOCX (offered for ".doc" too) and PDF."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanthu.audit import reads
from vanthu.org.views import require_person
from vanthu.search import export
from vanthu.search.forms import SearchForm
from vanthu.search.queries import PAGE_MAX, Result, search

PAGE = 20
EXPORT_MAX = 5_000


def _run(request: HttpRequest, *, limit: int, facets: bool) -> tuple[SearchForm, Result | None, int]:
    person = require_person(request)
    form = SearchForm(request.GET or None)
    if not request.GET:
        return form, None, 1
    if not form.is_valid():
        return form, None, 1
    page = form.cleaned_data.get("page") or 1
    result = search(person, form.cleaned_data.get("q") or "", form.filters(), offset=(page - 1) * limit,
                    limit=limit, by_relevance=form.cleaned_data.get("sort") != "date", facets=facets)
    if facets:  # the results page; the export records its own read
        reads.record_read(request=request, actor=person, verb=reads.SEARCHED, unit=person.unit_id,
                          data={"q": (form.cleaned_data.get("q") or "")[:200], "page": page, "total": result.total,
                                "filters": {k: str(v) for k, v in request.GET.items() if k not in ("q", "page")}})
    return form, result, page


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    form, result, page = _run(request, limit=PAGE, facets=True)
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k != "page" and v}
    base = urlencode(params)
    more = bool(result and result.total > page * PAGE)
    return render(request, "search/results.html", {
        "form": form, "result": result, "page": page, "base_query": base, "has_next": more,
        "facet_links": _facet_links(params, result),
    })


def _facet_links(params: dict[str, str], result: Result | None) -> list[tuple[str, list[tuple[str, int, str, bool]]]]:
    if result is None:
        return []
    out = []
    for facet in result.facets:
        values = []
        for value, label, n in facet.values:
            chosen = params.get(facet.key) == str(value)
            link = {**params, facet.key: str(value)}
            if chosen:
                link.pop(facet.key)
            link.pop("page", None)
            values.append((label, n, urlencode(link), chosen))
        out.append((facet.label, values))
    return out


FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    form, result, _page = _run(request, limit=PAGE_MAX, facets=False)
    person = require_person(request)
    documents = [h.document for h in result.hits] if result else []
    if result is not None and result.total > len(documents):
        # more than one page: export up to EXPORT_MAX rows, page by page, through the same access filter
        q = form.cleaned_data.get("q") or ""
        offset = len(documents)
        while offset < min(result.total, EXPORT_MAX):
            more = search(person, q, form.filters(), offset=offset, limit=PAGE_MAX, facets=False,
                          by_relevance=form.cleaned_data.get("sort") != "date")
            if not more.hits:
                break
            documents += [h.document for h in more.hits]
            offset += len(more.hits)
    if form.is_bound and form.is_valid():
        reads.record_read(request=request, actor=person, verb=reads.EXPORTED, unit=person.unit_id,
                          data={"q": (form.cleaned_data.get("q") or "")[:200], "rows": len(documents),
                                "format": fmt, "ids": [d.pk for d in documents[:1000]]})
    query = (form.cleaned_data.get("q") or "") if form.is_bound else ""
    if fmt == "docx":
        data = export.word(documents, query=query)
    elif fmt == "pdf":
        data = export.pdf(documents, query=query, unit=person.unit, printed_by=person.full_name)
    else:
        data = export.workbook(documents, query=query)
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="tra-cuu.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


@require_GET
def export_docx(request: HttpRequest) -> HttpResponse:
    return _export(request, "docx")


@require_GET
def export_pdf(request: HttpRequest) -> HttpResponse:
    return _export(request, "pdf")
