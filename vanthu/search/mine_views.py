"""The page “Văn bản của tôi” (issue 12): what the person handled, drafted, reviewed or signed, filtered, by
keyset; and the person's setting "open the next item of the queue after an action"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vanthu.core.errors import ActionRefused
from vanthu.documents.models import Direction, Status
from vanthu.org import actions as org
from vanthu.org.views import require_person
from vanthu.search.mine import KINDS, Filters, my_documents


class MineForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Vai trò"), required=False,
                             choices=[("", gettext_lazy("Tất cả"))] + [(k, v) for k, v in KINDS.items()])
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False,
                               choices=[("", gettext_lazy("Tất cả")), *Status.choices])
    direction = forms.ChoiceField(label=gettext_lazy("Chiều"), required=False,
                                  choices=[("", gettext_lazy("Tất cả")), *Direction.choices])
    year = forms.IntegerField(label=gettext_lazy("Năm"), required=False, min_value=1990, max_value=2100)
    q = forms.CharField(label=gettext_lazy("Từ khóa (không cần dấu)"), required=False, max_length=200)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


@require_GET
def my_documents_page(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    form = MineForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    filters = Filters(kind=data.get("kind") or "", status=data.get("status") or "",
                      direction=data.get("direction") or "", year=data.get("year"), q=data.get("q") or "")
    result = my_documents(person, filters, before=data.get("before"))
    params = {k: v for k, v in request.GET.items() if k != "before" and v}
    next_url = f"?{urlencode({**params, 'before': result.next_before})}" if result.next_before else ""
    return render(request, "search/mine.html", {"form": form, "result": result, "next_url": next_url,
                                                "kinds": KINDS, "opens_next": person.opens_next})


@require_POST
def opens_next_setting(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    value = request.POST.get("opens_next") == "1"
    try:
        org.set_opens_next(person=person, value=value, acting=person)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sau mỗi thao tác sẽ mở việc tiếp theo trong hàng.") if value
                         else _("Sau mỗi thao tác sẽ ở lại văn bản vừa xử lý."))
    return redirect("my_documents")
