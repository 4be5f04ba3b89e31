"""The edXML adapter stays an adapter: it imports no model, query, action or service of another app."""

from __future__ import annotations

import ast
from pathlib import Path

import vanthu.exchange.edxml

PACKAGE = Path(vanthu.exchange.edxml.__file__).parent
ALLOWED_VANTHU = {"vanthu.core.choices"}  # Urgency: its values are edXML Priority codes


def _vanthu_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("vanthu.")}


def test_edxml_modules_import_only_themselves_and_shared_choices():
    modules = sorted(PACKAGE.glob("*.py"))
    assert {m.name for m in modules} >= {"model.py", "build.py", "parse.py", "validate.py", "signature.py"}
    outside = {
        module.name: sorted(name for name in _vanthu_imports(module)
                            if not name.startswith("vanthu.exchange.edxml") and name not in ALLOWED_VANTHU)
        for module in modules
    }
    assert outside == {module.name: [] for module in modules}


def test_edxml_modules_never_touch_the_orm():
    for module in PACKAGE.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert ".objects" not in text, module.name
        assert "django.db" not in text, module.name
        assert "transaction" not in text, module.name
