"""Run one row of the access matrix: every case × method × character (the anonymous visitor included), each cell
compared with the table; the cells are appended to $VANTHU_MATRIX_OUT (JSON lines) when set, for
`python -m tests.security.matrix_report`."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from tests.security.matrix_table import SEES, Row
from tests.security.probe import request
from tests.security.world import PERSONAS, World, canary


@dataclass
class Cell:
    endpoint: str
    case: str
    method: str
    persona: str
    expected: str
    got: str
    status: int
    leaked: list[str]
    wrote: bool
    refused: bool

    @property
    def passed(self) -> bool:
        return self.got == self.expected and not self.leaked and not (self.refused and self.wrote)

    def describe(self) -> str:
        where = f"{self.endpoint}[{self.case}] {self.method} as {self.persona}"
        problems = []
        if self.got != self.expected:
            problems.append(f"expected {self.expected}, got {self.got} ({self.status})")
        if self.leaked:
            problems.append(f"shows {self.leaked}")
        if self.refused and self.wrote:
            problems.append("refused but wrote")
        return f"{where}: {'; '.join(problems)}"


def hidden_from(persona: str) -> set[str]:
    """The canaries this character may not see."""
    return {canary(name) for name, seers in SEES.items() if persona not in seers}


def run_row(world: World, endpoint: str, row: Row) -> list[Cell]:
    cells = []
    for case in row.cases:
        for method in row.methods:
            for persona in ("anon", *PERSONAS):
                acting = case.may if case.acts is None else case.acts
                refused = row.anon != "ok" if persona == "anon" else persona not in acting
                if persona == "anon":
                    expected = row.anon
                elif persona in case.may:
                    expected = row.allowed
                elif persona in case.sees:
                    expected = "403"
                else:
                    expected = row.refused
                outcome = request(world, endpoint, case.args, persona, method, watch=refused)
                leaked = sorted(outcome.canaries & (hidden_from(persona) if persona != "anon"
                                                    else {canary(n) for n in SEES}))
                cells.append(Cell(endpoint=endpoint, case=case.label or "", method=method, persona=persona,
                                  expected=expected, got=outcome.kind, status=outcome.status, leaked=leaked,
                                  wrote=outcome.wrote, refused=refused))
    out = os.environ.get("VANTHU_MATRIX_OUT")
    if out:
        with open(f"{out}.{os.getpid()}", "a", encoding="utf-8") as handle:
            for cell in cells:
                handle.write(json.dumps(asdict(cell) | {"passed": cell.passed}, ensure_ascii=False) + "\n")
    return cells
