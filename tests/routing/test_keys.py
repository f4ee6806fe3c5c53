"""One module names every routing key: the Lua scripts and keys.py agree, and a rename is loud."""

from __future__ import annotations

import json

import pytest
import redis

from routing import keys, scripts
from routing.live import DEFAULT_HANDLE_SECONDS, DEFAULT_WRAP_SECONDS, STAFFED_STATES
from tests.routing.helpers import caller, consultant, make_engine

SCRIPTS = {
    name: text
    for name, text in vars(scripts).items()
    if name.isupper() and isinstance(text, str) and text.startswith(scripts.header())
}


def test_every_key_the_scripts_use_is_named_in_keys_py():
    assert len(SCRIPTS) == 17
    for name, text in SCRIPTS.items():
        body = text.removeprefix(scripts.header())
        assert set(scripts.KEY_NAME.findall(body)) <= set(keys.named()), name
        assert keys.PREFIX not in body, f"{name} spells a key itself"


def test_the_lua_header_holds_what_keys_py_and_live_py_say(redis_client: redis.Redis):
    script = (
        scripts.header()
        + """
local staffed = {}
for state in pairs(STAFFED_STATES) do staffed[#staffed + 1] = state end
return cjson.encode({keys = KEY, ttl = ENTRY_TTL_SECONDS, events = EVENTS_MAX_LENGTH,
  staffed = staffed, handle = DEFAULT_HANDLE_SECONDS, wrap = DEFAULT_WRAP_SECONDS,
  keep_call = KEEP_CALL})
"""
    )
    seen = json.loads(redis_client.eval(script, 0))
    assert seen["keys"] == keys.named()
    assert (seen["ttl"], seen["events"]) == (keys.ENTRY_TTL_SECONDS, keys.EVENTS_MAX_LENGTH)
    assert set(seen["staffed"]) == STAFFED_STATES
    assert (seen["handle"], seen["wrap"]) == (DEFAULT_HANDLE_SECONDS, DEFAULT_WRAP_SECONDS)
    assert seen["keep_call"] == scripts.KEEP_CALL


def test_the_engine_and_its_scripts_write_the_keys_keys_py_names(redis_client: redis.Redis):
    engine = make_engine(redis_client)
    consultant(engine, 4, office="WAW", languages=("pl", "uk"))
    caller(engine, "CA1", advisor=7, office="KRK", language="uk")
    assert redis_client.exists(keys.entry("CA1"), keys.consultant(4)) == 2
    assert redis_client.zscore(keys.WAITING, "CA1") is not None
    assert redis_client.zscore(keys.available_in_language("uk"), "4") is not None
    assert redis_client.sismember(keys.staffed_in_office("WAW"), "4")
    assert redis_client.xlen(keys.EVENTS) > 0


def test_a_key_renamed_in_keys_py_stops_the_scripts_loading(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delattr(keys, "WAITING")
    with pytest.raises(LookupError, match="WAITING"):
        scripts.script("return 1")


def test_a_key_keys_py_does_not_name_fails_the_script_instead_of_touching_nil(
    redis_client: redis.Redis,
):
    with pytest.raises(LookupError, match="QUEUED"):
        scripts.script("return redis.call('ZCARD', KEY.QUEUED)")
    script = scripts.header() + "return redis.call('ZCARD', KEY.QUEUED)"
    with pytest.raises(redis.ResponseError, match="routing/keys.py names no key QUEUED"):
        redis_client.eval(script, 0)
