"""How Flask code (views, jobs) reaches the routing services the app built once.

``centre.app.create_app`` builds them with ``routing.service.build_routing`` and keeps them on
the app under ``NAME``; service functions never come here: they are handed them.
"""

from __future__ import annotations

from typing import cast

from flask import current_app

from routing.service import Routing

NAME = "hotline.routing"


def services() -> Routing:
    """Return the running app's routing services."""
    return cast(Routing, current_app.extensions[NAME])
