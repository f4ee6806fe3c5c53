"""`hotline admin`: people and customers from the command line."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from centre.cli import main
from centre.demo import pesel
from consultants.models import Consultant
from customers.models import Customer
from hotline.db import db
from tests.administration.helpers import signed_in


@pytest.fixture
def environment(settings, phone_network) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "TWILIO_API_URL": phone_network.url,
    }


def test_a_person_added_on_the_command_line_signs_in_with_the_password_it_prints(
    app, demo, environment
):
    runner = CliRunner()
    added = runner.invoke(main, ["admin", "person", "add", "marek", "--name", "Marek Wrona", "--office", "krk",
                                 "--language", "pl", "--role", "consultant", "--role", "supervisor"], env=environment)  # fmt: skip
    assert added.exit_code == 0, added.output
    password = re.search(r"one-time password: (\S+)", added.output).group(1)
    signed_in(app, "marek", password)
    marek = db.session.scalars(select(Consultant).where(Consultant.login == "marek")).one()
    assert (marek.office_code, marek.roles) == ("KRK", ["consultant", "supervisor"])
    again = runner.invoke(main, ["admin", "person", "add", "marek", "--name", "M"], env=environment)
    assert again.exit_code == 1 and "the login 'marek' is taken" in again.output


def test_disabling_on_the_command_line_ends_the_sessions(app, demo, environment):
    piotr, _ = signed_in(app, "piotr")
    result = CliRunner().invoke(main, ["admin", "person", "disable", "piotr"], env=environment)
    assert result.exit_code == 0 and "signed out everywhere and offline" in result.output
    assert piotr.get("/desk/api/state").status_code == 401
    unknown = CliRunner().invoke(main, ["admin", "person", "disable", "nobody"], env=environment)
    assert unknown.exit_code == 1 and "nobody has the login 'nobody'" in unknown.output


def test_a_customer_added_on_the_command_line_has_a_checked_pesel(app, demo, environment):
    runner = CliRunner()
    bad = runner.invoke(main, ["admin", "customer", "add", "--pesel", "85031212345", "--first-name", "A",
                               "--last-name", "B"], env=environment)  # fmt: skip
    assert bad.exit_code == 1 and "the PESEL is not valid" in bad.output
    good = runner.invoke(main, ["admin", "customer", "add", "--pesel", pesel("010101", "0101"), "--first-name", "Ala",
                                "--last-name", "Kot", "--phone", "602 000 999", "--advisor", "anna",
                                "--safeguarding"], env=environment)  # fmt: skip
    assert good.exit_code == 0, good.output
    ala = db.session.scalars(select(Customer).where(Customer.last_name == "Kot")).one()
    assert ala.phone == "+48602000999" and ala.safeguarding
