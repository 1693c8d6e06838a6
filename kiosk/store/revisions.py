"""The store's schema revisions, read from the migration files without alembic.

Every kiosk command that opens a store needs the newest revision and the set of
known ones, but only an out-of-date store needs alembic itself, whose import costs
about a quarter of a second per process. The files declare ``revision`` and
``down_revision`` as plain string assignments (alembic's template); reading those
with :mod:`ast` gives the same chain alembic builds (``tests/kiosk/test_migrations.py``
compares the two). Migrations themselves still run through alembic.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

__all__ = ["MIGRATIONS", "known_revisions", "schema_head"]

MIGRATIONS = Path(__file__).with_name("migrations")


def _declared(path: Path) -> dict[str, object]:
    """The module-level constants ``revision`` and ``down_revision`` of one file."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        target: ast.expr | None = None
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    return found


@cache
def known_revisions() -> dict[str, str | None]:
    """Every revision this kiosk knows, mapped to the one it follows (``None``: the first)."""
    chain: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        if path.name == "__init__.py":
            continue
        declared = _declared(path)
        revision, down = declared.get("revision"), declared.get("down_revision")
        if not isinstance(revision, str) or not (down is None or isinstance(down, str)):
            raise RuntimeError(f"{path}: a migration declares revision and down_revision as text")
        chain[revision] = down
    return chain


@cache
def schema_head() -> str:
    """The newest schema revision this version of kiosk knows (the one nothing follows)."""
    chain = known_revisions()
    heads = set(chain) - {down for down in chain.values() if down is not None}
    if len(heads) != 1:
        raise RuntimeError(f"the store's migrations must form one line, found heads {heads}")
    return heads.pop()
