"""Erlang C and Erlang A against textbook values and exact identities."""

from __future__ import annotations

import math

import pytest

from routing import erlang

# 100 calls in 30 minutes, 180 s handling: 10 Erlangs, the classic 80%-in-20-s example
# (the same figures appear in pyworkforce's and the R ErlangC package's documentation).
RATE, HANDLE = 100 / 1800, 180.0


def test_erlang_b_matches_the_table():
    assert erlang.erlang_b(10, 10.0) == pytest.approx(0.21458, abs=1e-5)
    assert erlang.erlang_b(0, 3.0) == 1.0


def test_erlang_c_matches_textbook_values():
    assert erlang.erlang_c(11, 10.0) == pytest.approx(0.6821182, abs=1e-7)
    staffing = erlang.erlang_c_staffing(14, RATE, HANDLE, 20)
    assert staffing.wait_probability == pytest.approx(0.1741319, abs=1e-7)
    assert staffing.service_level == pytest.approx(0.88835, abs=1e-5)
    assert staffing.average_wait == pytest.approx(7.835937, abs=1e-6)
    assert staffing.occupancy == pytest.approx(10 / 14)


def test_erlang_c_gives_the_consultants_needed_for_80_percent_in_20_seconds():
    needed = erlang.agents_for_service_level(RATE, HANDLE, 20, 0.80)
    assert needed.agents == 14
    assert erlang.erlang_c_staffing(13, RATE, HANDLE, 20).service_level < 0.80


def test_an_overloaded_erlang_c_queue_never_meets_any_target():
    staffing = erlang.erlang_c_staffing(10, RATE, HANDLE, 20)
    assert staffing.wait_probability == 1.0 and staffing.service_level == 0.0


def test_erlang_a_with_very_patient_callers_is_erlang_c():
    patient = erlang.erlang_a_staffing(14, RATE, HANDLE, 1e7, 20)
    assert patient.service_level == pytest.approx(0.88835, abs=1e-5)
    assert patient.wait_probability == pytest.approx(0.1741319, abs=1e-5)
    assert patient.abandonment < 1e-5


def test_erlang_a_when_patience_equals_handling_time_is_the_infinite_server_queue():
    # With theta = mu every caller leaves at rate mu, served or not: the number in the
    # system is Poisson(A) (Palm), so P(wait) and abandonment have closed forms.
    load, agents = 10.0, 12
    staffing = erlang.erlang_a_staffing(agents, load / HANDLE, HANDLE, HANDLE, 20)
    poisson = [math.exp(-load) * load**j / math.factorial(j) for j in range(120)]
    assert staffing.wait_probability == pytest.approx(sum(poisson[agents:]), rel=1e-9)
    waiting = sum((j - agents) * p for j, p in enumerate(poisson) if j > agents)
    assert staffing.abandonment == pytest.approx(waiting / load, rel=1e-9)


def test_erlang_a_abandonment_agrees_with_its_waiting_time_distribution():
    # P(abandon) from Little's law equals one minus the share of waiting callers served.
    staffing = erlang.erlang_a_staffing(9, 10 / 180, 180, 120, 1e9)
    served_in_any_time = staffing.service_level
    assert staffing.abandonment == pytest.approx(1 - served_in_any_time, abs=1e-9)


def test_erlang_a_matches_a_simulated_m_m_n_plus_m_queue():
    # 10 Erlangs on 9 agents, patience 120 s: a 4e6-second simulation gave SL(20 s) 0.5233,
    # abandonment 0.1926 and a mean answered wait of 20.98 s.
    staffing = erlang.erlang_a_staffing(9, 10 / 180, 180, 120, 20)
    assert staffing.service_level == pytest.approx(0.5233, abs=0.005)
    assert staffing.abandonment == pytest.approx(0.1926, abs=0.005)
    assert staffing.answered_wait == pytest.approx(20.98, abs=0.3)


def test_abandonment_lets_fewer_consultants_meet_the_target():
    with_patience = erlang.agents_for_service_level(RATE, HANDLE, 20, 0.80, patience_seconds=120)
    assert with_patience.agents == 12
    assert with_patience.service_level >= 0.80
    fewer = erlang.erlang_a_staffing(11, RATE, HANDLE, 120, 20)
    assert fewer.service_level < 0.80
