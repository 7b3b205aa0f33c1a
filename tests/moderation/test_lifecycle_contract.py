"""One writer of a comment's status: moderation/lifecycle.py. This test reads every module of the
product (not tests, benches or migrations) and fails on a status written anywhere else, so a new
shortcut around the lifecycle's checks, audit entry and notifications cannot land."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("blog", "config", "core", "moderation", "notifications", "ops", "scripts")
OWNER = Path("moderation/lifecycle.py")
WRITES = {"update", "create", "get_or_create", "update_or_create", "bulk_create", "bulk_update"}


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" not in rel.parts:
                yield rel, ast.parse(path.read_text(), filename=str(rel))


def _root_name(node) -> str:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def status_writes() -> list[str]:
    """file:line of every `<x>.status = ...` and every `Comment...update/create(status=...)`."""
    found = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []
            for t in targets:
                # `self.status` is an exception's or a result's own field (Comment's methods never
                # set it: models hold data and invariants, and this test would catch one that did
                # through any other name).
                if isinstance(t, ast.Attribute) and t.attr == "status" and _root_name(t) != "self":
                    found.append(f"{rel}:{node.lineno}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES
                    and _root_name(node.func) == "Comment"
                    and any(k.arg in ("status", "defaults") for k in node.keywords)):
                found.append(f"{rel}:{node.lineno}")
    return found


def test_only_the_lifecycle_writes_a_comments_status():
    outside = [w for w in status_writes() if not w.startswith(f"{OWNER}:")]
    assert outside == [], f"Comment.status written outside {OWNER}: {outside}"


def test_the_lifecycle_does_write_it_in_one_place():
    inside = [w for w in status_writes() if w.startswith(f"{OWNER}:")]
    assert len(inside) == 1, inside
