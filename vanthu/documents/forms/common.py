"""What every form of the document pages shares: how a form meets an action (`submit`, `attempt`: a refusal
lands next to the field it names and the form keeps its values), the hidden token and version every writing
form carries, and the form that asks for a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from vanthu.core.errors import ActionRefused
from vanthu.documents import actions, uploads
from vanthu.documents.forms.fields import text

T = TypeVar("T")


def apply_refusal(form: forms.Form, exc: ActionRefused) -> None:
    """Show an action's refusal next to the field it names (or above the form). A form whose fields are named
    differently from the action's arguments maps them in `refusal_field(exc)`."""
    mapper = getattr(form, "refusal_field", None)
    name = mapper(exc) if mapper is not None else exc.field
    form.add_error(name if name in form.fields else None, exc.message)


def bound_data(request: HttpRequest) -> QueryDict | None:
    """The submitted fields on POST (even when empty, so that a blank form shows its errors), else None."""
    return request.POST if request.method == "POST" else None


def submit(request: HttpRequest, form: forms.Form, call: Callable[[dict[str, Any]], T],
           success: str | Callable[[T], str]) -> T | None:
    """On a POST with a valid form, run one action with the cleaned data; on success say so (Django message)
    and return its result. A refusal lands on the form (see `attempt`) and None is returned."""
    if request.method != "POST" or not form.is_valid():
        return None
    done = attempt(form, lambda: call(form.cleaned_data))
    if done is not None:
        messages.success(request, success(done) if callable(success) else success)
    return done


def attempt(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Run one action; on refusal put its message on the form and return None (a double submission, which
    the view answers with a redirect to what the first submission made, passes through)."""
    try:
        return call()
    except actions.DuplicateSubmission:
        raise
    except ActionRefused as exc:
        apply_refusal(form, exc)
    return None


def too_large_message() -> str:
    return uploads.too_large().message


class TokenMixin(forms.Form):
    """A hidden UUID made when the form is shown: a second submission of the same form is recognised."""

    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4())


class VersionMixin(forms.Form):
    """The document version the form was opened on: a change by someone else in between is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReasonForm(forms.Form):
    reason = text(_("Lý do"), 500, required=True, missing=_("Hãy ghi lý do."), rows=3)
