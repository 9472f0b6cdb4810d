"""nhilint/engines/ is the one place that imports cedarpy and regorus (DESIGN.md, "Data flow"):
testing/, custom rules and the Cedar source go through it. Read from the source, so an
import inside a function counts as much as one at the top of a module."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nhilint"
ENGINES = PACKAGE / "engines"
ENGINE_MODULES = {"cedarpy", "regorus"}


def _engine_imports(path: Path) -> set[str]:
    """The engine modules `path` imports (`import cedarpy`, `import cedarpy.pst`,
    `from regorus import Engine`...), anywhere in the module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in ENGINE_MODULES)
    return found


def test_no_module_outside_engines_imports_cedarpy_or_regorus() -> None:
    outside = {str(path.relative_to(PACKAGE.parent)): sorted(imported)
               for path in sorted(PACKAGE.rglob("*.py"))
               if ENGINES not in path.parents and (imported := _engine_imports(path))}
    assert outside == {}


def test_the_engines_layer_imports_them() -> None:
    """Each engine has its module; the shared interface imports neither (they load slowly)."""
    assert _engine_imports(ENGINES / "cedar.py") == {"cedarpy"}
    assert _engine_imports(ENGINES / "rego.py") == {"regorus"}
    assert _engine_imports(ENGINES / "__init__.py") == set()
    assert _engine_imports(ENGINES / "isolation.py") == set()
