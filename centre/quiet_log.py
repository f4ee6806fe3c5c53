"""Logs for `hotline up` that a person can read: routine polling stays out of them.

A desk page asked for its state every second and the board for its figures every few seconds;
logged, they buried what matters (about 15,800 lines in half an hour of trying the centre).
Pages now follow event streams, which a page opens again every few minutes, and poll only where
a stream cannot be opened.
Those requests are left out when they succeed; every failure, every webhook from the network
and every other request is still logged.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

# What pages and tools poll while nothing happens.
POLLED_PATHS = frozenset(
    {
        "/desk/api/state",
        "/desk/api/board",
        "/desk/api/events",
        "/desk/api/board/events",
        "/ivr/health",
    }
)
POLLED_PREFIXES = ("/desk/static/",)


def routine(method: str, path: str, status: int) -> bool:
    """Tell whether a request is a routine poll that succeeded."""
    if method not in ("GET", "HEAD") or status >= 400:
        return False
    return path in POLLED_PATHS or path.startswith(POLLED_PREFIXES)


def status_code(resp: Any) -> int:
    """Return a gunicorn response's status as a number (999 if it has none readable)."""
    status = getattr(resp, "status_code", None) or str(getattr(resp, "status", "999"))
    try:
        return int(str(status).split()[0])
    except ValueError:
        return 999


class QuietAccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, less the access lines of routine polls that succeeded."""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """Log a request unless it was a routine poll that succeeded."""
        if routine(req.method, req.path, status_code(resp)):
            return
        super().access(resp, req, environ, request_time)
