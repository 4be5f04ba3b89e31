"""Strict input for every API schema (issue 18, decision 0019).

- In a JSON body, an integer field takes a JSON integer only: not `true`, not `"1"`, not `1.0`; a boolean field
  takes `true`/`false` only. Form and query values arrive as text, so there the text of an integer is parsed.
- Every integer (ids, years, counts) lies within the database's 64-bit range: beyond it is 422 `out_of_range`
  naming the field, never a server error.
- No text may hold a NUL character (422 `nul_character`).
- In a multipart form, an empty value of a nullable field is null.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from typing import Any, ClassVar

from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

_INT_TEXT = re.compile(r"^[+-]?[0-9]+$")
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1


def _parts(annotation: Any) -> list[Any]:
    """The plain types an annotation admits (Annotated and Optional unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _parts(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [p for arg in typing.get_args(annotation) for p in _parts(arg)]
    return [annotation]


def _kind(annotation: Any) -> tuple[str | None, bool, bool]:
    """('int' | 'bool' | None, is a list of it, admits None)."""
    parts = _parts(annotation)
    nullable = type(None) in parts
    for part in parts:
        origin = typing.get_origin(part)
        if origin is list:
            inner, _list, _null = _kind(typing.get_args(part)[0])
            return inner, True, nullable
        if part is bool:
            return "bool", False, nullable
        if isinstance(part, type) and issubclass(part, int) and not (
            issubclass(part, enum.Enum) and not issubclass(part, int)
        ):
            return "int", False, nullable
    return None, False, nullable


def _strict_one(kind: str, value: Any) -> None:
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if kind == "bool" and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be a valid boolean")


def _no_nul(value: Any) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_character", "Text must not contain NUL characters")
    if isinstance(value, list):
        for item in value:
            _no_nul(item)


def _in_range(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        raise PydanticCustomError("out_of_range", "Input is outside the 64-bit integer range")
    if isinstance(value, list):
        for item in value:
            _in_range(item)


class StrictInput:
    """Mixin of every input schema. `lax_text = True` where values arrive as text (forms, query strings)."""

    lax_text: ClassVar[bool] = False
    empty_is_null: ClassVar[bool] = False

    @field_validator("*", mode="before")
    @classmethod
    def _strict_before(cls, value: Any, info: ValidationInfo) -> Any:
        _no_nul(value)
        fields = getattr(cls, "model_fields", {})
        field = fields.get(info.field_name) if info.field_name else None
        if field is None:
            return value
        kind, is_list, nullable = _kind(field.annotation)
        if cls.empty_is_null and nullable and value == "":
            return None
        if kind == "int" and cls.lax_text and isinstance(value, str) and not _INT_TEXT.match(value.strip()):
            raise PydanticCustomError("int_parsing", "Input should be the text of an integer")  # not "1.0"
        if kind is None or cls.lax_text or value is None:
            return value
        if is_list:
            if isinstance(value, list):
                for item in value:
                    _strict_one(kind, item)
            return value
        _strict_one(kind, value)
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _strict_after(cls, value: Any) -> Any:
        _in_range(value)
        return value
