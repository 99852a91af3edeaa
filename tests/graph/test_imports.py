"""The package re-exports its submodules' names, so no submodule may import the package: that would be a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import providers.graph

PACKAGE = Path(providers.graph.__file__).parent


def test_no_submodule_imports_the_package_itself() -> None:
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "providers.graph" and not node.level:
                offenders.append(path.name)
            elif isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
                offenders.append(path.name)
            elif isinstance(node, ast.Import) and any(a.name == "providers.graph" for a in node.names):
                offenders.append(path.name)
    assert offenders == []
