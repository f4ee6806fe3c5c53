"""With Redis down the desk says so on every page, in the reader's language, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from centre.app import create_app
from hotline.embedded_redis import EmbeddedRedis
from tests.agent_desk.test_desk import sign_in

# Pages that live on the database (the board fills itself from a script): they open, with
# the banner.
DATABASE_PAGES = [
    "/desk/", "/desk/customers", "/desk/voicemail", "/desk/account", "/desk/imports",
    "/desk/board",
]  # fmt: skip
# Scripts that need routing: they say it is unavailable.
ROUTING_SCRIPTS = ["/desk/api/state", "/desk/api/board"]


@pytest.fixture
def desk(settings, app, demo, own_redis: EmbeddedRedis) -> Iterator[FlaskClient]:
    """Return a browser on a desk whose Redis the test may stop; Anna has signed in."""
    client = create_app(settings.with_overrides(redis_url=own_redis.url)).test_client()
    sign_in(client)
    yield client


def test_with_redis_down_the_desk_opens_its_record_pages_with_a_banner(desk, own_redis):
    own_redis.stop()

    for path in DATABASE_PAGES:
        response = desk.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert 'id="routing-down"' in page, path
        assert "Obsługa połączeń jest niedostępna" in page, path


def test_with_redis_down_the_desks_scripts_say_so_instead_of_failing(desk, own_redis):
    own_redis.stop()

    for path in ROUTING_SCRIPTS:
        response = desk.get(path)
        assert response.status_code == 503, path
        assert response.get_json()["routing_down"] is True, path


def test_once_redis_is_back_the_banner_is_gone(desk, own_redis):
    own_redis.stop()
    assert 'id="routing-down"' in desk.get("/desk/customers").get_data(as_text=True)

    own_redis.start()

    page = desk.get("/desk/")
    assert page.status_code == 200
    assert 'id="routing-down"' not in page.get_data(as_text=True)
