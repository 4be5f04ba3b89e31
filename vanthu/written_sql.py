"""Statements written out in SQL, for the few hot paths where building them through the ORM cost several times
their run (decisions 0047, 0048): the tables and columns are named from the models, quoted for the database,
and each statement is built once per database vendor (and variant) and then reused.

Imports only Django, so that audit and jobs, which import no app, can use it as every app does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models

T = TypeVar("T")


def quoted(connection: Any, model: type[models.Model], *fields: str) -> dict[str, str]:
    """{"table": the model's table, and each field's name: its column}, quoted for `connection`."""
    quote, meta = connection.ops.quote_name, model._meta
    names = {"table": quote(meta.db_table)}
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field)  # a column of the model's own table, not a relation's
        names[name] = quote(field.column)
    return names


def per_vendor(build: Callable[..., T]) -> Callable[..., T]:
    """`build(connection, *variant)` run once for each database vendor and variant; its result kept."""
    built: dict[tuple[Any, ...], T] = {}

    def statement(connection: Any, *variant: Any) -> T:
        key = (connection.vendor, *variant)
        found = built.get(key)
        if found is None:
            found = built[key] = build(connection, *variant)
        return found

    statement.__doc__ = build.__doc__
    return statement
