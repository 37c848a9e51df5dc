"""The layout of sql/functions/ is the one sql/README.md documents: every file in a folder its table
names, every folder it names present, and every aicrm_private function under private/ unless the
README lists it as an exception. Read as text: no database needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.migrate import plan

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
FUNCTIONS = SQL_DIR / "functions"
README = SQL_DIR / "README.md"

_DEFINITION = re.compile(r"^create\s+or\s+replace\s+function\s+(aicrm_private|aicrm)\.([a-z0-9_]+)", re.I | re.M)
_TABLE_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|", re.M)
_PRIVATE_NAME = re.compile(r"`aicrm_private\.([a-z0-9_]+)`")


def section(text: str, title: str) -> str:
    """The text of a `## title` section, up to the next section."""
    text = "\n" + text
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def documented(readme: str) -> set[str]:
    """The folders (`customers/`) and top-level files (`triggers.sql`) of the README's table."""
    return set(_TABLE_ROW.findall(section(readme, "functions/, by domain")))


def exceptions(readme: str) -> set[str]:
    return set(_PRIVATE_NAME.findall(section(readme, "Exceptions")))


def place(path: Path, root: Path) -> str:
    """Where a file is filed: its folder relative to root (`private/tasks/`), or its name at the top."""
    relative = path.relative_to(root)
    return relative.name if len(relative.parts) == 1 else relative.parent.as_posix() + "/"


def misplaced(root: Path, readme: str) -> list[str]:
    """Files in a folder the table does not name, and rows naming nothing that exists."""
    table = documented(readme)
    files = sorted(root.rglob("*.sql"))
    problems = [
        f"{p.relative_to(root)}: {place(p, root)} is not in the table" for p in files if place(p, root) not in table
    ]
    used = {place(p, root) for p in files}
    problems += [f"{entry}: documented but holds no SQL file" for entry in sorted(table - used)]
    return problems


def private_outside(root: Path, readme: str) -> list[str]:
    """aicrm_private functions defined outside private/ and not listed as exceptions, and listed
    exceptions that are not (or no longer) outside private/."""
    allowed = exceptions(readme)
    outside: set[str] = set()
    for path in sorted(root.rglob("*.sql")):
        if path.relative_to(root).parts[0] == "private":
            continue
        for schema, name in _DEFINITION.findall(path.read_text()):
            if schema.lower() == "aicrm_private":
                outside.add(name)
    problems = [f"aicrm_private.{n} is defined outside private/" for n in sorted(outside - allowed)]
    problems += [
        f"aicrm_private.{n} is listed as an exception but is not outside private/" for n in sorted(allowed - outside)
    ]
    return problems


def test_every_function_file_is_in_a_documented_folder() -> None:
    assert misplaced(FUNCTIONS, README.read_text()) == []


def test_every_private_function_is_under_private() -> None:
    assert private_outside(FUNCTIONS, README.read_text()) == []


def test_the_shared_helpers_are_applied_before_every_other_function() -> None:
    """The README's apply order: what `language sql` bodies in every domain call (the tenant, rows,
    row triggers) is created first, because private/base/ sorts first."""
    order = [f.relative for f in plan(SQL_DIR).repeatables]
    base = [i for i, name in enumerate(order) if name.startswith("functions/private/base/")]
    assert base, "no file in functions/private/base/"
    assert base == list(range(len(base))), order[: len(base) + 1]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small copy of the layout's shape: one documented folder, one private folder, triggers.sql."""
    root = tmp_path / "functions"
    (root / "tasks").mkdir(parents=True)
    (root / "private" / "tasks").mkdir(parents=True)
    (root / "tasks" / "claim.sql").write_text("create or replace function aicrm.claim()\n")
    (root / "private" / "tasks" / "lease.sql").write_text("create or replace function aicrm_private.lease_of()\n")
    (root / "triggers.sql").write_text("create or replace trigger _900_audit ...\n")
    return root


README_OF_TREE = """## functions/, by domain

| folder | domain |
| --- | --- |
| `tasks/` | tasks |
| `private/tasks/` | helpers |
| `triggers.sql` | triggers |

## Exceptions

- none
"""


def test_the_checks_pass_on_a_tree_that_matches_its_readme(tree: Path) -> None:
    assert misplaced(tree, README_OF_TREE) == []
    assert private_outside(tree, README_OF_TREE) == []


def test_a_file_in_an_undocumented_folder_is_found(tree: Path) -> None:
    (tree / "pipeline").mkdir()
    (tree / "pipeline" / "worker.sql").write_text("create or replace function aicrm.heartbeat()\n")
    (tree / "notes.sql").write_text("-- a top-level file nobody documented\n")
    assert misplaced(tree, README_OF_TREE) == [
        "notes.sql: notes.sql is not in the table",
        "pipeline/worker.sql: pipeline/ is not in the table",
    ]


def test_a_documented_folder_that_is_gone_is_found(tree: Path) -> None:
    (tree / "tasks" / "claim.sql").unlink()
    assert misplaced(tree, README_OF_TREE) == ["tasks/: documented but holds no SQL file"]


def test_a_private_function_beside_its_caller_is_found_unless_listed(tree: Path) -> None:
    (tree / "tasks" / "claim.sql").write_text(
        "create or replace function aicrm_private.pick()\n\nCREATE OR REPLACE FUNCTION aicrm.claim()\n"
    )
    assert private_outside(tree, README_OF_TREE) == ["aicrm_private.pick is defined outside private/"]
    listed = README_OF_TREE.replace("- none", "- `tasks/claim.sql`: `aicrm_private.pick`")
    assert private_outside(tree, listed) == []
    (tree / "tasks" / "claim.sql").write_text("create or replace function aicrm.claim()\n")
    assert private_outside(tree, listed) == ["aicrm_private.pick is listed as an exception but is not outside private/"]
