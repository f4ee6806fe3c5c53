from __future__ import annotations

import pytest

from hotline.settings import (
    DEV_API_KEY_SECRET,
    DEV_API_KEY_SID,
    DEV_AUTH_TOKEN,
    DEV_TWIML_APP_SID,
    Settings,
    SettingsError,
)


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "HOTLINE_ENV": "production",
        "SECRET_KEY": "s" * 32,
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
        "TWILIO_AUTH_TOKEN": "real-token",
        "PUBLIC_URL": "https://hotline.example.org/",
        "DATABASE_URL": "postgresql+psycopg://u:p@db/hotline",
        "REDIS_URL": "redis://:redis-password@redis:6379/0",
        "TWILIO_API_KEY_SID": "SK" + "b" * 32,
        "TWILIO_API_KEY_SECRET": "real-api-key-secret",
        "TWILIO_TWIML_APP_SID": "AP" + "c" * 32,
    }
    env.update(overrides)
    return env


def test_production_refuses_to_start_and_names_the_missing_secret():
    env = production_env()
    del env["TWILIO_AUTH_TOKEN"]
    del env["SECRET_KEY"]
    with pytest.raises(SettingsError, match="SECRET_KEY, TWILIO_AUTH_TOKEN"):
        Settings.from_env(env)


def test_production_refuses_to_start_without_the_softphone_key_and_app_and_names_them():
    env = production_env()
    for name in ("TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET", "TWILIO_TWIML_APP_SID"):
        del env[name]
    with pytest.raises(
        SettingsError, match="TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET, TWILIO_TWIML_APP_SID$"
    ):
        Settings.from_env(env)


def test_production_refuses_the_development_api_key_secret():
    with pytest.raises(SettingsError, match="TWILIO_API_KEY_SECRET is the development secret"):
        Settings.from_env(production_env(TWILIO_API_KEY_SECRET=DEV_API_KEY_SECRET))


def test_an_account_sid_given_as_the_api_key_is_refused_at_start_up():
    with pytest.raises(SettingsError, match="TWILIO_API_KEY_SID must be a sid that starts with SK"):
        Settings.from_env(production_env(TWILIO_API_KEY_SID="AC" + "a" * 32))
    with pytest.raises(SettingsError, match="TWILIO_TWIML_APP_SID .* starts with AP"):
        Settings.from_env({"TWILIO_TWIML_APP_SID": "PN" + "1" * 32})


def test_the_softphone_settings_are_read_with_an_hour_long_token_by_default():
    settings = Settings.from_env(production_env())
    assert settings.twilio_api_key_sid == "SK" + "b" * 32
    assert settings.twilio_api_key_secret == "real-api-key-secret"
    assert settings.twilio_twiml_app_sid == "AP" + "c" * 32
    assert settings.token_ttl_seconds == 3600
    assert (
        Settings.from_env(production_env(HOTLINE_TOKEN_TTL_SECONDS="900")).token_ttl_seconds == 900
    )


@pytest.mark.parametrize("ttl", ["0", "59", "86401", "an hour"])
def test_a_token_lifetime_twilio_would_refuse_is_a_clear_error(ttl):
    with pytest.raises(SettingsError, match="HOTLINE_TOKEN_TTL_SECONDS"):
        Settings.from_env({"HOTLINE_TOKEN_TTL_SECONDS": ttl})


def test_development_stand_ins_for_the_softphone_only_with_the_emulator():
    emulated = Settings.from_env({"TWILIO_API_URL": "http://127.0.0.1:5001"})
    assert (
        emulated.twilio_api_key_sid,
        emulated.twilio_api_key_secret,
        emulated.twilio_twiml_app_sid,
    ) == (DEV_API_KEY_SID, DEV_API_KEY_SECRET, DEV_TWIML_APP_SID)
    real = Settings.from_env({})
    assert not (real.twilio_api_key_sid or real.twilio_api_key_secret or real.twilio_twiml_app_sid)


def test_production_refuses_the_development_token():
    with pytest.raises(SettingsError, match="development token"):
        Settings.from_env(production_env(TWILIO_AUTH_TOKEN=DEV_AUTH_TOKEN))


def test_production_settings_are_read_and_trailing_slashes_dropped():
    settings = Settings.from_env(production_env())
    assert settings.production
    assert settings.public_url == "https://hotline.example.org"
    assert not settings.uses_emulator


def test_development_defaults_to_sqlite_under_instance_and_embedded_redis(tmp_path):
    settings = Settings.from_env({"HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    assert settings.redis_url is None
    assert settings.twilio_auth_token == DEV_AUTH_TOKEN


def test_bad_number_setting_is_a_clear_error():
    with pytest.raises(SettingsError, match="HOTLINE_RING_TIMEOUT_SECONDS"):
        Settings.from_env({"HOTLINE_RING_TIMEOUT_SECONDS": "soon"})


@pytest.mark.parametrize("mode", ["prod", "staging", "Production-ish", ""])
def test_an_unknown_mode_refuses_to_start_and_names_the_two_there_are(mode):
    with pytest.raises(SettingsError, match="must be development or production"):
        Settings.from_env({"HOTLINE_ENV": mode})


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"SECRET_KEY": "s" * 31}, "SECRET_KEY must be at least 32 bytes"),
        ({"PUBLIC_URL": "http://hotline.example.org"}, "PUBLIC_URL must be an https:// address"),
        ({"TWILIO_ACCOUNT_SID": "AC" + "0" * 31 + "1"}, "TWILIO_ACCOUNT_SID is the development"),
        ({"TWILIO_ACCOUNT_SID": "ACnot-a-sid"}, "AC followed by 32 hexadecimal digits"),
        ({"DATABASE_URL": "sqlite:////srv/hotline.sqlite3"}, "must be a PostgreSQL database"),
        ({"TWILIO_API_URL": "http://127.0.0.1:5001"}, "TWILIO_API_URL must be unset"),
        ({"TWILIO_AUTH_TOKEN": DEV_AUTH_TOKEN}, "TWILIO_AUTH_TOKEN is the development token"),
    ],
)
def test_production_refuses_each_unsafe_setting_by_name(change, reason):
    with pytest.raises(SettingsError, match=reason):
        Settings.from_env(production_env(**change))


def test_production_asks_for_a_second_factor_and_development_does_not():
    assert Settings.from_env(production_env()).require_second_factor
    assert not Settings.from_env({}).require_second_factor


def test_session_timeouts_and_the_upload_limit_are_settings():
    settings = Settings.from_env(
        {
            "HOTLINE_SESSION_IDLE_MINUTES": "15",
            "HOTLINE_SESSION_MAX_HOURS": "9",
            "HOTLINE_MAX_UPLOAD_MB": "5",
            "HOTLINE_LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
        }
    )
    assert (settings.session_idle_minutes, settings.session_max_hours) == (15, 9)
    assert (settings.max_upload_mb, settings.login_limit_per_account) == (5, "3 per minute")
    with pytest.raises(SettingsError, match="HOTLINE_SESSION_IDLE_MINUTES must be above 0"):
        Settings.from_env({"HOTLINE_SESSION_IDLE_MINUTES": "0"})
    with pytest.raises(SettingsError, match="HOTLINE_LOGIN_LIMIT_PER_ADDRESS must look like"):
        Settings.from_env({"HOTLINE_LOGIN_LIMIT_PER_ADDRESS": "lots"})


def test_recording_is_off_until_the_office_switches_it_on_and_its_settings_are_checked(tmp_path):
    plain = Settings.from_env({"HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert not plain.record_calls and not plain.recording_delete_at_network
    assert plain.recording_decline and plain.recording_decline_key == "9"
    assert plain.recording_folder == str(tmp_path / "recordings")
    on = Settings.from_env(
        {
            "HOTLINE_RECORD_CALLS": "yes",
            "HOTLINE_RECORDING_DECLINE": "off",
            "HOTLINE_RECORDING_DECLINE_KEY": "#",
            "HOTLINE_RECORDING_DELETE_AT_TWILIO": "1",
            "HOTLINE_RECORDING_FOLDER": "/srv/recordings",
        }
    )
    assert on.record_calls and not on.recording_decline and on.recording_delete_at_network
    assert (on.recording_decline_key, on.recording_folder) == ("#", "/srv/recordings")
    with pytest.raises(SettingsError, match="HOTLINE_RECORD_CALLS must be on or off"):
        Settings.from_env({"HOTLINE_RECORD_CALLS": "sometimes"})
    with pytest.raises(SettingsError, match="HOTLINE_RECORDING_DECLINE_KEY must be one key"):
        Settings.from_env({"HOTLINE_RECORDING_DECLINE_KEY": "99"})


def test_production_refuses_a_redis_without_a_password_since_rq_runs_what_it_reads_there():
    with pytest.raises(SettingsError, match="Redis must ask for a password in production"):
        Settings.from_env(production_env(REDIS_URL="redis://redis:6379/0"))
    given_apart = Settings.from_env(
        production_env(REDIS_URL="redis://redis:6379/0", REDIS_PASSWORD="redis-password")
    )
    assert given_apart.redis_password == "redis-password"


def test_production_takes_sentinels_in_place_of_a_redis_url_with_their_password():
    env = production_env(
        REDIS_SENTINELS="10.0.0.5:26379, 10.0.0.6:26379,10.0.0.7:26380",
        REDIS_MASTER_NAME="centre",
    )
    del env["REDIS_URL"]
    with pytest.raises(SettingsError, match="Redis must ask for a password"):
        Settings.from_env(env)
    settings = Settings.from_env({**env, "REDIS_PASSWORD": "redis-password"})
    assert settings.redis_sentinels == ("10.0.0.5:26379", "10.0.0.6:26379", "10.0.0.7:26380")
    assert settings.redis_master_name == "centre"
    del env["REDIS_SENTINELS"]
    with pytest.raises(SettingsError, match="needs REDIS_URL, or REDIS_SENTINELS"):
        Settings.from_env(env)


@pytest.mark.parametrize("given", ["10.0.0.5", "10.0.0.5:sentinel", "10.0.0.5:70000", ":26379"])
def test_a_sentinel_address_without_a_port_is_a_clear_error(given):
    with pytest.raises(SettingsError, match="REDIS_SENTINELS: .* is not host:port"):
        Settings.from_env({"REDIS_SENTINELS": given})
