"""The foundation and the domain services load without Flask; only the roof knows every
feature."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FOUNDATION = [
    "hotline",
    "hotline.settings",
    "hotline.db",
    "hotline.redis_client",
    "hotline.jobs",
    "hotline.hours",
    "hotline.speech",
    "hotline.telephony",
    "hotline.embedded_redis",
]
PURE_SERVICES = [
    "knowledge.feeds",
    "knowledge.matching",
    "customers.service",
    "consultants.service",
    "routing.service",
    "routing.router",
    "routing.callbacks",
]


def modules_loaded_by(module: str) -> set[str]:
    """Import module in a fresh interpreter and return the names of every module it loaded."""
    script = f"import sys, {module}; print('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize("module", FOUNDATION + PURE_SERVICES)
def test_importing_the_module_does_not_load_flask(module: str) -> None:
    loaded = modules_loaded_by(module)
    assert module in loaded
    assert "flask" not in loaded


@pytest.mark.parametrize("module", FOUNDATION)
def test_the_foundation_imports_no_feature_and_not_the_roof(module: str) -> None:
    features = {
        "centre",
        "consultants",
        "ivr",
        "routing",
        "knowledge",
        "agent_desk",
        "recordings",
        "customers",
    }
    loaded = {name.split(".")[0] for name in modules_loaded_by(module)}
    assert not loaded & features
