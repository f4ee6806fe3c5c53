"""The house's import rules: each package imports only the packages beneath it, and nothing
hides a loop behind an import inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What each package may import, as the README's architecture section draws it. The roof
# (centre) may import everything; the foundation (hotline) and the emulator nothing.
ALLOWED: dict[str, set[str]] = {
    "hotline": set(),
    "emulator": set(),
    "consultants": {"hotline"},
    "knowledge": {"hotline"},
    "customers": {"hotline", "consultants"},
    "routing": {"hotline", "consultants"},
    "messaging": {"hotline", "knowledge"},
    "recordings": {"hotline", "consultants", "customers", "routing"},
    "ivr": {"hotline", "customers", "knowledge", "messaging", "recordings", "routing"},
    # The desk texts customers (the document list, vacancies) and shows the texts they got.
    "agent_desk": {
        "hotline",
        "consultants",
        "customers",
        "knowledge",
        "messaging",
        "recordings",
        "routing",
    },
    # Retention and data-subject rights reach every table that holds personal data, so the
    # package stands above every domain package (and the desk, whose sign-in it reuses).
    "privacy": {
        "hotline",
        "consultants",
        "customers",
        "knowledge",
        "messaging",
        "recordings",
        "routing",
        "agent_desk",
    },
    # Administration edits people, customers and offices, and takes a disabled person off
    # the queue.
    "administration": {"hotline", "consultants", "customers", "knowledge", "routing"},
}
PACKAGES = {*ALLOWED, "centre"}


def imports_of(package: str) -> list[tuple[Path, str, bool]]:
    """Return (file, imported top-level package, inside a function) for a package's imports."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text())
        inside = {
            id(node)
            for function in ast.walk(tree)
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in PACKAGES:
                    found.append((path.relative_to(ROOT), top, id(node) in inside))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_packages_beneath_it(package: str) -> None:
    wrong = [
        f"{path} imports {target}"
        for path, target, _inside in imports_of(package)
        if target != package and target not in ALLOWED[package]
    ]
    assert wrong == []


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_import_inside_a_function_in_the_domain_and_the_foundation(package: str) -> None:
    hidden = [f"{path} imports {target}" for path, target, inside in imports_of(package) if inside]
    assert hidden == []
