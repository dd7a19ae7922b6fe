"""The app's import graph flows one way (read from the source with ``ast``, nothing imported):

    entry points (views, urls, tasks, commands, admin, forms, template tags, the API)
      → services and selectors
        → helpers that read models (cache keys, exports, filters, tables)
          → models
            → pure modules (boards, upstream, http, ranking, validation, sources)

A module may import its own layer or any layer below, never one above. Inside the pure layer
``leaderboard.sources`` sees only ``boards``, ``upstream``, ``ranking`` and itself, and no
adapter imports another adapter: what two adapters share lives in a helper module there.
The read path (selectors, views, filters, tables, exports, template tags, the API) never
imports the write pipeline (services) or the adapters (sources) — only the model-cell
cleaner there, ``sources.names``, which both sides read cells with.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import REPO

APP = REPO / "leaderboard"

ENTRY, SERVICE, READ_HELPER, MODELS, PURE = 4, 3, 2, 1, 0
LAYER_NAMES = {4: "entry point", 3: "service", 2: "model helper", 1: "models", 0: "pure"}

# Module (or package prefix) → layer. A new module must be placed here: the test says where.
LAYERS: dict[str, int] = {
    "leaderboard": PURE,
    "leaderboard.apps": ENTRY,
    "leaderboard.admin_site": ENTRY,
    "leaderboard.admin": ENTRY,
    "leaderboard.management": ENTRY,
    "leaderboard.templatetags": ENTRY,
    "leaderboard.views": ENTRY,
    "leaderboard.views_history": ENTRY,
    "leaderboard.api": ENTRY,
    "leaderboard.page_cache": ENTRY,
    "leaderboard.urls": ENTRY,
    "leaderboard.tasks": ENTRY,
    "leaderboard.forms": ENTRY,
    "leaderboard.services": SERVICE,
    "leaderboard.selectors": SERVICE,
    "leaderboard.health": SERVICE,
    "leaderboard.history": SERVICE,
    "leaderboard.corrections": SERVICE,
    "leaderboard.charts": SERVICE,
    "leaderboard.cache_keys": READ_HELPER,
    "leaderboard.exports": READ_HELPER,
    "leaderboard.filters": READ_HELPER,
    "leaderboard.tables": READ_HELPER,
    "leaderboard.freshness": READ_HELPER,
    "leaderboard.rows": READ_HELPER,
    "leaderboard.models": MODELS,
    "leaderboard.boards": PURE,
    "leaderboard.catalogue": PURE,
    "leaderboard.upstream": PURE,
    "leaderboard.http": PURE,
    "leaderboard.hf_datasets": PURE,
    "leaderboard.headtohead": PURE,
    "leaderboard.labels": PURE,
    "leaderboard.ranking": PURE,
    "leaderboard.validation": PURE,
    "leaderboard.sources": PURE,
    "leaderboard.widgets": PURE,
    "leaderboard.packing": PURE,
}
READ_PATH = (
    "leaderboard.selectors",
    "leaderboard.history",
    "leaderboard.corrections",
    "leaderboard.charts",
    "leaderboard.views",
    "leaderboard.views_history",
    "leaderboard.page_cache",
    "leaderboard.filters",
    "leaderboard.tables",
    "leaderboard.exports",
    "leaderboard.templatetags",
    "leaderboard.api",
)
SOURCES_MAY_IMPORT = (
    "leaderboard.sources",
    "leaderboard.boards",
    "leaderboard.upstream",
    "leaderboard.ranking",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in sorted(APP.rglob("*.py"))
        if "migrations" not in path.relative_to(APP).parts
    }


MODULES = _modules()


def _imports(module: str) -> set[str]:
    """The app modules ``module`` imports; ``from pkg import mod`` counts as importing mod."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in MODULES else target)
    return {name for name in found if name in MODULES and name != module}


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _layer(module: str) -> int:
    prefix = max((p for p in LAYERS if _within(module, p)), key=len)
    return LAYERS[prefix]


def _is_adapter(module: str) -> bool:
    """A sources module defining a class with both ``sniff`` and ``parse`` (the contract),
    other than the contract's own ``Protocol``."""
    if not _within(module, "leaderboard.sources") or module == "leaderboard.sources":
        return False
    for node in ast.parse(MODULES[module].read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef) and not any(
            isinstance(base, ast.Name) and base.id == "Protocol" for base in node.bases
        ):
            methods = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
            if {"sniff", "parse"} <= methods:
                return True
    return False


GRAPH = {module: _imports(module) for module in MODULES}


def test_every_app_module_has_a_layer() -> None:
    # The package roots alone would place a new top-level module by accident.
    top_level = {m for m in MODULES if m.count(".") == 1}
    unplaced = sorted(m for m in top_level if m not in LAYERS)
    assert not unplaced, f"place these modules in LAYERS: {unplaced}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_layer_above_its_own(module: str) -> None:
    upward = sorted(
        f"{target} ({LAYER_NAMES[_layer(target)]})"
        for target in GRAPH[module]
        if _layer(target) > _layer(module)
    )
    assert not upward, f"{module} ({LAYER_NAMES[_layer(module)]}) imports {upward}"


def test_sources_import_only_boards_upstream_ranking_and_each_other() -> None:
    outside = {
        module: sorted(
            t for t in targets if not any(_within(t, allowed) for allowed in SOURCES_MAY_IMPORT)
        )
        for module, targets in GRAPH.items()
        if _within(module, "leaderboard.sources")
    }
    assert {module: found for module, found in outside.items() if found} == {}


def test_no_adapter_module_imports_another_adapter_module() -> None:
    adapters = {module for module in MODULES if _is_adapter(module)}
    assert len(adapters) >= 8, "the adapter detection found too few adapters to be right"
    crossing = {
        module: sorted(GRAPH[module] & adapters) for module in adapters if GRAPH[module] & adapters
    }
    assert crossing == {}


READ_PATH_MAY_USE = ("leaderboard.sources.names",)
"""The model-cell cleaner (pure text, no adapter): the adapters clean the cells they parse
with it, and the model page reads a model's upstream strings through it."""


def test_the_read_path_never_imports_services_or_sources() -> None:
    write_side = ("leaderboard.services", "leaderboard.sources")
    offending = {
        module: sorted(
            t
            for t in targets
            if any(_within(t, w) for w in write_side) and t not in READ_PATH_MAY_USE
        )
        for module, targets in GRAPH.items()
        if any(_within(module, r) for r in READ_PATH)
    }
    assert {module: found for module, found in offending.items() if found} == {}


def test_the_graph_reader_sees_imports_it_must_judge() -> None:
    # Guards the reader itself: relative, absolute and "from package import module" forms.
    assert "leaderboard.sources.base" in GRAPH["leaderboard.sources.arena_page"]
    assert "leaderboard.models" in GRAPH["leaderboard.selectors"]
    assert "leaderboard.sources.markdown_page" in GRAPH["leaderboard.sources"]
    assert _is_adapter("leaderboard.sources.arena_page")
    assert not _is_adapter("leaderboard.sources.text")
    assert not _is_adapter("leaderboard.sources.base")
