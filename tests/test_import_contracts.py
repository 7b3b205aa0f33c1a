"""The layout's promises, checked on the source (an AST walk, nothing imported or run):

* ml/ knows nothing of Django nor of Parley's apps (text in, scores out);
* blog asks moderation for anything only through ``moderation.facade``, and moderation reads
  blog only through ``blog.models``;
* no import circles: none between modules (any import, even inside a function), none between
  moderation's sub-packages, and none between the top-level packages beyond that one
  facade/models pair.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("blog", "config", "core", "ml", "moderation", "notifications", "ops", "scripts")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


SOURCES = _sources()


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports(module: str, *, module_level_only: bool) -> set[str]:
    """Every module ``module`` imports; ``from a import b`` counts as ``a.b`` when that is a module."""
    path = SOURCES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if module_level_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, path.name == "__init__.py", child)
                for alias in child.names:
                    found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in SOURCES else target)
            visit(child)

    visit(tree)
    return found


def _ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _graph(*, node_of, module_level_only: bool = True) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module in SOURCES:
        source = node_of(module)
        for target in _imports(module, module_level_only=module_level_only):
            if _ours(target):
                target = node_of(target)
                if target != source:
                    graph.setdefault(source, set()).add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in ``graph``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def walk(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt] if nxt in path else [*path, nxt]
            if nxt not in state and (found := walk(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := walk(start, [start])):
            return found
    return None


def test_the_walk_sees_the_whole_tree():
    assert {"ml.classifiers.base", "blog.services", "moderation.facade", "moderation.queue.services", "core.ratelimit"} <= set(SOURCES)
    assert "moderation.facade" in _imports("blog.services", module_level_only=True)


@pytest.mark.parametrize("module", sorted(m for m in SOURCES if _in(m, "ml")))
def test_ml_imports_no_django_and_nothing_of_parleys_apps(module):
    imported = _imports(module, module_level_only=False)
    assert not {m for m in imported if m.split(".")[0] in {"django", "rest_framework", "celery"}}
    assert not {m for m in imported if _ours(m) and not _in(m, "ml")}


def _crossings(*, sources: tuple[str, ...], into: tuple[str, ...], allowed: tuple[str, ...] = ()) -> set:
    """(module, import) pairs from the ``sources`` packages into the ``into`` packages, any
    import (even inside a function), other than the ``allowed`` modules."""
    return {
        (module, target)
        for module in SOURCES if any(_in(module, p) for p in sources)
        for target in _imports(module, module_level_only=False)
        if any(_in(target, p) for p in into) and target not in allowed
    }


def test_blog_imports_from_moderation_only_its_facade():
    assert not _crossings(sources=("blog",), into=("moderation",), allowed=("moderation.facade",))


def test_moderation_reads_blog_only_through_its_models():
    # Operator commands are entry points, not layers: evaluate_models reads the demo's texts and the
    # page parser to score them (moderation.management.commands.evaluate_models).
    crossings = _crossings(sources=("moderation",), into=("blog",), allowed=("blog.models",))
    assert crossings <= {("moderation.management.commands.evaluate_models", "blog.demo"),
                         ("moderation.management.commands.evaluate_models", "blog.importing")}


def test_core_and_config_import_no_app():
    assert not _crossings(sources=("core", "config"), into=("blog", "moderation", "notifications", "scripts"))


def test_blog_never_imports_notifications():
    # moderation notifies; the bell reaches blog's pages through a context processor.
    assert not _crossings(sources=("blog",), into=("notifications",))


def test_no_import_circle_between_modules():
    # Imports inside functions count too: one is how moderation/queueing.py and tasks.py hid theirs.
    assert _cycle(_graph(node_of=lambda m: m, module_level_only=False)) is None


def test_the_circle_check_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_import_circle_between_moderations_sub_packages():
    # Each sub-package (pipeline, queue, policy, insights, api) is one node; the top-level
    # modules (models, rules, permissions, facade, ...) are a node each.
    def node_of(module: str) -> str:
        parts = module.split(".")
        if parts[0] != "moderation":
            return parts[0]
        return ".".join(parts[:2])

    graph = {k: {t for t in v if t.startswith("moderation")} for k, v in _graph(node_of=node_of).items() if k.startswith("moderation")}
    assert _cycle(graph) is None


def test_no_import_circle_between_top_level_packages_beyond_the_facade():
    # blog -> moderation.facade and moderation -> blog.models are the one two-way pair, held to
    # exactly those modules by the two tests above; every other package edge goes one way.
    graph = _graph(node_of=lambda m: m.split(".")[0])
    graph["blog"].discard("moderation")
    assert _cycle(graph) is None
