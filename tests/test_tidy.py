"""The test suite's own house rules: what tests share lives in modules made for sharing (factories,
samples, helpers, conftest fixtures), never in another test module; an import of a test module runs
its fixtures and tests a second time under another name and ties the two files together."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def is_test_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "tests" and parts[-1].startswith("test_")


def imported_test_modules(path: Path, tree: ast.Module) -> list[str]:
    """The test modules (tests.<...>.test_x) a file imports, each with the line of its import."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # from tests.x.test_y import name; from tests.x import test_y
            modules = [node.module] if is_test_module(node.module) else [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found += [f"{path.relative_to(ROOT)}:{node.lineno} imports {m}" for m in modules if is_test_module(m)]
    return found


def test_no_module_imports_a_test_module() -> None:
    files = [*sorted((ROOT / "tests").rglob("*.py")), *sorted((ROOT / "benchmarks").rglob("*.py"))]
    assert len(files) > 50
    found = [hit for path in files for hit in imported_test_modules(path, ast.parse(path.read_text()))]
    assert found == []


def test_the_check_sees_every_way_to_import_a_test_module() -> None:
    source = (
        "from tests.sql.quality.test_scorecard import BAKERY\n"
        "from tests.runner import test_worker\n"
        "import tests.e2e.test_end_to_end\n"
        "from tests.samples import BAKERY\n"
        "from tests.e2e.workload import task_specs\n"
    )
    hits = imported_test_modules(ROOT / "tests" / "x.py", ast.parse(source))
    assert [h.split(" imports ")[1] for h in hits] == [
        "tests.sql.quality.test_scorecard",
        "tests.runner.test_worker",
        "tests.e2e.test_end_to_end",
    ]


def test_every_runner_package_ships_in_the_wheel() -> None:
    """`pip install .` installs the packages pyproject.toml lists, no others: a new package under
    runner/ left out of the list imports from a checkout and is missing from the product."""
    import tomllib

    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "runner").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert found - declared == set()
