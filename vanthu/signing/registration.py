"""The number and date an issued PDF shows, checked against what it says and what was registered (decision 0036).

pyHanko's difference analysis accepts, as form filling, a seal revision whose number field's value (/V) differs
from what its appearance shows (tests/signing/fastdiff_corpus.py, "number_value_differs_from_appearance"): a file
could show one number on the page while its field says another, and the signatures would be valid. vanthu's own
fields (`vanthu_so`, `vanthu_ngay`, added empty by the personal signature, filled by the seal) are therefore
checked on every validation:

- each shows exactly its value: the appearance is text drawn the way vanthu draws it (fieldtext.field_text) and
  that text is the value (both in composed Unicode, spaces collapsed);
- when the caller knows the registered number and date (`Registered`: the check after issuance from the
  register, the exchange's receiver from the envelope's Code and PromulgationInfo), the number field's value is
  the registered number line and the date field's value names the registered day.

A file without either field (a digitised paper document, another system's PDF) has nothing to compare; a file
with one of them but not the other, when a registration is given, does. The PDF adapter reads the fields
(fields.filled_fields, no database); this module only compares, and its problems are translated sentences.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from vanthu.signing.fields import DATE_FIELD, NUMBER_FIELD, FilledField
from vanthu.signing.types import Registered

# "ngày 05 tháng 3 năm 2027" (Decree 30 Phụ lục I; a capital N when no place name comes before it)
DATE_LINE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _label(name: str) -> str:
    return _("số, ký hiệu") if name == NUMBER_FIELD else _("ngày ban hành")


def _shown_problems(name: str, field: FilledField) -> list[str]:
    if field.shown is None:
        return [_("Ô %(field)s không hiển thị giá trị của nó dưới dạng chữ như vanthu ghi (hình hiển thị bị thay, bị "
                  "ẩn hoặc vẽ thêm), nên không biết trên trang đang hiện gì; giá trị của ô là “%(value)s”.")
                % {"field": _label(name), "value": _plain(field.value)}]
    if _plain(field.shown) != _plain(field.value):
        return [_("Ô %(field)s ghi giá trị “%(value)s” nhưng trên trang lại hiện “%(shown)s”.")
                % {"field": _label(name), "value": _plain(field.value), "shown": _plain(field.shown)}]
    return []


def _date_of(text: str) -> tuple[int, int, int] | None:
    found = DATE_LINE.search(_plain(text))
    return (int(found.group(3)), int(found.group(2)), int(found.group(1))) if found else None


def _registered_problems(fields: dict[str, FilledField], registered: Registered) -> list[str]:
    problems = []
    number = fields.get(NUMBER_FIELD)
    if number is None:
        problems.append(_("Tệp không có ô %(field)s mà vanthu điền khi ban hành.") % {"field": _label(NUMBER_FIELD)})
    elif _plain(number.value) != _plain(registered.number_text):
        problems.append(_("Số, ký hiệu trong tệp (“%(found)s”) khác số, ký hiệu đã đăng ký của văn bản "
                          "(“%(expected)s”).") % {"found": _plain(number.value),
                                                  "expected": _plain(registered.number_text)})
    if registered.issued is None:
        return problems
    date = fields.get(DATE_FIELD)
    day = registered.issued
    if date is None:
        problems.append(_("Tệp không có ô %(field)s mà vanthu điền khi ban hành.") % {"field": _label(DATE_FIELD)})
    elif _date_of(date.value) != (day.year, day.month, day.day):
        problems.append(_("Ngày ban hành trong tệp (“%(found)s”) khác ngày đã đăng ký của văn bản (%(expected)s).")
                        % {"found": _plain(date.value), "expected": day.strftime("%d/%m/%Y")})
    return problems


def problems(fields: dict[str, FilledField], registered: Registered | None) -> list[str]:
    """What is wrong with the file's number and date fields (see the module docstring); [] when nothing is, or
    when the file has neither field."""
    if not fields:
        return []
    found = [p for name in (NUMBER_FIELD, DATE_FIELD) if name in fields for p in _shown_problems(name, fields[name])]
    if registered is not None:
        found += _registered_problems(fields, registered)
    return found
