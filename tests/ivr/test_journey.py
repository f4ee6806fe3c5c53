"""The caller's journey in Redis: calls in progress during a deploy keep their place."""

from __future__ import annotations

import json

import redis

from ivr.journey import FIELD_NAMES, Journey, JourneyStore

SID = "CA" + "5" * 32


def test_the_stored_fields_are_the_ones_calls_in_progress_hold():
    assert FIELD_NAMES == (
        "caller_number", "language", "customer_id", "first_name", "advisor_id", "office_code",
        "home_region", "vulnerable", "identified", "identified_by", "pesel_tries", "topic",
        "purpose", "failures", "failure_step", "region_code", "place", "occupation",
        "occupation_families", "occupation_said", "occupation_terms", "offset", "part",
        "list_page", "shown_ids", "answers", "page_from", "page_next", "vacancy_counts",
        "cut_off",
    )  # fmt: skip


def test_a_journey_stored_before_a_deploy_loads_from_its_key(redis_client):
    stored = {"caller_number": "+48601000003", "language": "uk", "region_code": "14",
              "shown_ids": [3, 4], "answers": {"registered": True}}  # fmt: skip
    redis_client.set(f"ivr:call:{SID}", json.dumps(stored))
    journey = JourneyStore(redis_client).load(SID)
    assert (journey.language, journey.region_code, journey.shown_ids) == ("uk", "14", [3, 4])
    assert journey.answers == {"registered": True} and journey.topic == "general"


def test_an_unchanged_journey_is_not_written_again(redis_client):
    store = JourneyStore(redis_client)
    store.save(Journey(call_sid=SID, caller_number="+48601000001"))
    redis_client.persist(f"ivr:call:{SID}")
    store.save(store.load(SID))
    assert redis_client.ttl(f"ivr:call:{SID}") == -1, "no write refreshed the expiry"


def test_a_journey_outlives_a_redis_outage_in_the_database_and_goes_back_after(app, redis_client):
    from hotline.db import db
    from ivr.models import StoredJourney

    down = JourneyStore(redis.Redis(port=1, socket_connect_timeout=0.5))  # nothing listens
    up = JourneyStore(redis_client)
    journey = up.load(SID)
    journey.language = "uk"
    up.save(journey)  # before the outage

    during = down.load(SID)  # Redis is down: the database has no copy yet
    during.language, during.region_code = "uk", "12"
    down.save(during)
    assert down.load(SID).region_code == "12"

    after = up.load(SID)  # Redis is back with the older copy: the database's wins
    assert after.region_code == "12"
    after.offset = 3
    up.save(after)  # the newer journey is in Redis again, and the database's copy goes
    assert db.session.get(StoredJourney, SID) is None
    assert up.load(SID).offset == 3
