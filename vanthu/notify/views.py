"""The bell's pages: the list (unread first), opening one (marks it read, then its object), mark all read, and
the person's mail choices. Only a person's own notifications exist for them (404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanthu.notify import actions
from vanthu.notify.forms import PreferenceForm
from vanthu.notify.models import DEFAULT_PREFERENCE, Preference
from vanthu.notify.queries import BELL_CAP, access_notification, for_person, unread_count
from vanthu.org.views import require_person

PAGE = 30


@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The top bar's unread count, loaded by htmx after the page (so it never slows a page or counts in its
    queries) and again every minute: one COUNT over at most 100 rows of the unread index, "99+" beyond."""
    person = require_person(request)
    count = unread_count(person)
    return render(request, "notify/_bell.html", {"count": count,
                                                 "label": f"{BELL_CAP}+" if count > BELL_CAP else str(count)})


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    page = Paginator(for_person(person), PAGE).get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {"page": page, "unread": unread_count(person)})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark read and go to the object (POST: it writes); a link that is not ours goes back to the list."""
    person = require_person(request)
    notification = actions.mark_read(acting=person, notification=access_notification(person, pk))
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notify:list")


@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    person = require_person(request)
    actions.mark_read(acting=person, notification=access_notification(person, pk))
    return redirect("notify:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    count = actions.mark_all_read(acting=person)
    messages.success(request, _("Đã đánh dấu %(count)d thông báo là đã đọc.") % {"count": count})
    return redirect("notify:list")


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    person = require_person(request)
    current = Preference.objects.filter(person=person).first() or DEFAULT_PREFERENCE
    form = PreferenceForm(request.POST or None, initial={
        "mail_reminders": current.mail_reminders, "mail_escalations": current.mail_escalations,
        "mail_other": current.mail_other})
    if request.method == "POST" and form.is_valid():
        actions.set_preference(acting=person, **form.cleaned_data)
        messages.success(request, _("Đã lưu lựa chọn nhận thư."))
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"form": form, "email": person.email})
