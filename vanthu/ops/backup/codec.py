"""Field values ⇄ JSON, losslessly: datetimes keep their microseconds (the audit hash covers them), JSON fields
keep SQL NULL apart from JSON null, binary data is base64. One encoder and one decoder per field kind."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.db import models

Codec = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _iso(value: Any) -> Any:
    return value.isoformat()


def _json_encoder(field: models.JSONField) -> Codec:
    return lambda value: json.dumps(value, cls=field.encoder, ensure_ascii=False, sort_keys=True)


def _json_decoder(field: models.JSONField) -> Codec:
    return lambda value: json.loads(value, cls=field.decoder)


def _duration_out(value: dt.timedelta) -> int:
    return (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds


def encoder(field: models.Field[Any, Any]) -> Codec:
    kind = field.get_internal_type()
    if isinstance(field, models.JSONField):
        inner = _json_encoder(field)
    elif kind in {"DateTimeField", "DateField", "TimeField"}:
        inner = _iso
    elif kind == "DurationField":
        inner = _duration_out
    elif kind == "DecimalField" or kind == "UUIDField":
        inner = str
    elif kind == "BinaryField":
        inner = lambda value: base64.b64encode(bytes(value)).decode("ascii")  # noqa: E731
    else:
        inner = _same
    return lambda value: None if value is None else inner(value)


def decoder(field: models.Field[Any, Any]) -> Codec:
    kind = field.get_internal_type()
    if isinstance(field, models.JSONField):
        inner = _json_decoder(field)
    elif kind == "DateTimeField":
        inner = dt.datetime.fromisoformat
    elif kind == "DateField":
        inner = dt.date.fromisoformat
    elif kind == "TimeField":
        inner = dt.time.fromisoformat
    elif kind == "DurationField":
        inner = lambda value: dt.timedelta(microseconds=value)  # noqa: E731
    elif kind == "DecimalField":
        inner = decimal.Decimal
    elif kind == "UUIDField":
        inner = uuid.UUID
    elif kind == "BinaryField":
        inner = base64.b64decode
    else:
        inner = _same
    return lambda value: None if value is None else inner(value)
