from __future__ import annotations

import pytest

from hotline.settings import DEV_AUTH_TOKEN, Settings, SettingsError


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "HOTLINE_ENV": "production",
        "SECRET_KEY": "s" * 32,
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
        "TWILIO_AUTH_TOKEN": "real-token",
        "PUBLIC_URL": "https://hotline.example.org/",
        "DATABASE_URL": "postgresql+psycopg://u:p@db/hotline",
        "REDIS_URL": "redis://redis:6379/0",
    }
    env.update(overrides)
    return env


def test_production_refuses_to_start_and_names_the_missing_secret():
    env = production_env()
    del env["TWILIO_AUTH_TOKEN"]
    del env["SECRET_KEY"]
    with pytest.raises(SettingsError, match="SECRET_KEY, TWILIO_AUTH_TOKEN"):
        Settings.from_env(env)


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
