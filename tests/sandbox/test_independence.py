"""The sandbox plays AWS on its own: no module of it imports the engine.

Were it to use the product's definition parser (or anything else of the engine), a mistake
there would be simulated too and the tests would agree with it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import lineage.sandbox

SANDBOX = Path(lineage.sandbox.__file__).parent
_IMPORTERS = {"import_module", "__import__"}


def module_name(path: Path) -> str:
    parts = ("lineage", *path.relative_to(SANDBOX.parent).with_suffix("").parts)
    return ".".join(parts).removesuffix(".__init__")


def imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` imports, at the top or inside functions, relative ones resolved.

    ``package`` is the package the source's relative imports start from.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _IMPORTERS and node.args and isinstance(node.args[0], ast.Constant):
                found.add(str(node.args[0].value))
    return found


def engine_imports(source: str, package: str) -> set[str]:
    return {
        name
        for name in imported_modules(source, package)
        if (name == "lineage" or name.startswith("lineage."))
        and not (name == "lineage.sandbox" or name.startswith("lineage.sandbox."))
    }


def test_no_sandbox_module_imports_the_engine() -> None:
    files = sorted(SANDBOX.rglob("*.py"))
    assert len(files) > 10
    offenders = {}
    for path in files:
        name = module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = engine_imports(path.read_text(encoding="utf-8"), package)
        if found:
            offenders[name] = sorted(found)
    assert offenders == {}


def test_lazy_relative_and_dynamic_imports_count_too() -> None:
    lazy = "def names(d):\n    from lineage.definition import parse_definition\n"
    relative = "from ..definition import parse_definition\n"
    dynamic = "import importlib\nimportlib.import_module('lineage.service')\n"
    assert engine_imports(lazy, "lineage.sandbox") == {"lineage.definition"}
    assert engine_imports(relative, "lineage.sandbox") == {"lineage.definition"}
    assert engine_imports(dynamic, "lineage.sandbox") == {"lineage.service"}
    assert engine_imports("from .simulate import simulate\n", "lineage.sandbox") == set()


def test_importing_every_sandbox_module_loads_no_engine_module() -> None:
    modules = sorted(module_name(p) for p in SANDBOX.rglob("*.py") if p.name != "__main__.py")
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('lineage.')"
        " and not m.startswith('lineage.sandbox')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
