"""Every webhook path a package names is one the app serves, spelled once."""

from __future__ import annotations

from types import ModuleType

import pytest
from flask import Flask

from ivr import urls as ivr_urls
from messaging import urls as messaging_urls
from recordings import urls as recording_urls
from routing import twiml as routing_twiml
from routing import urls as routing_urls


def named_paths(module: ModuleType) -> set[str]:
    """Return the paths a urls module names as constants."""
    return {
        path
        for name, path in vars(module).items()
        if name.isupper() and name != "PREFIX" and isinstance(path, str)
    }


@pytest.mark.parametrize("module", [ivr_urls, messaging_urls, recording_urls, routing_urls])
def test_the_app_serves_every_path_a_package_names(app: Flask, module: ModuleType) -> None:
    served = {rule.rule for rule in app.url_map.iter_rules()}
    assert named_paths(module)
    assert named_paths(module) <= served


def test_the_ivr_steps_are_served_under_their_builders(app: Flask) -> None:
    served = {rule.rule for rule in app.url_map.iter_rules()}
    for build in (ivr_urls.step, ivr_urls.step_input, ivr_urls.step_silence):
        assert build("<step>") in served


def test_routing_reports_recordings_where_the_recordings_package_listens() -> None:
    # Routing may not import recordings (recordings reads routing's call records), so it keeps
    # its own copy of this one path; this is what keeps the two the same.
    assert routing_twiml.RECORDING_STATUS_URL == recording_urls.STATUS
