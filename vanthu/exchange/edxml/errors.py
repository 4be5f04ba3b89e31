"""What the adapter raises: an invalid envelope (with every problem, each naming its field)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    field: str  # the element path, e.g. "MessageHeader/Code/CodeNumber"
    message: str  # translated, complete sentence naming the field
    code: str  # stable machine code: too_long, required, not_in_code_set, bad_format, …


class EnvelopeInvalid(Exception):
    """The envelope cannot be built or accepted. `problems` lists every problem found, in document order."""

    def __init__(self, problems: list[Problem]) -> None:
        assert problems
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))

    @property
    def message(self) -> str:
        return str(self)

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def code(self) -> str:
        return self.problems[0].code


class SignatureRefused(Exception):
    """Signing was refused (SHA-1 asked for, unusable key or certificate). `message` is translated."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
