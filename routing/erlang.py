"""Staffing arithmetic: Erlang C (callers wait forever) and Erlang A (callers may give up).

Rates are per second: ``arrival_rate`` calls per second, ``handle_seconds`` the mean handling
time (talk plus wrap-up), ``patience_seconds`` the mean time a caller waits before hanging up
(exponential, as Palm's Erlang A model assumes). ``target_seconds`` is the answer time of a
service level such as 80% in 20 s.

Erlang A follows Palm's M/M/n+M model. The waiting time of a caller who finds m callers
ahead of them is a sum of exponential stages with rates n*mu + i*theta (i = m..0), whose
distribution is a regularised incomplete beta function with an integer first argument; that
gives the service level and the mean wait as finite sums with no numerical integration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_QUEUE_TERMS = 1_000_000


@dataclass(frozen=True)
class Staffing:
    """What a number of consultants achieves under a given load."""

    agents: int
    load_erlangs: float
    wait_probability: float
    service_level: float
    average_wait: float
    answered_wait: float
    abandonment: float
    occupancy: float


def erlang_b(agents: int, load: float) -> float:
    """Return the blocking probability of agents lines offered load Erlangs."""
    if agents < 0 or load < 0:
        raise ValueError("agents and load must not be negative")
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def erlang_c(agents: int, load: float) -> float:
    """Return the probability that a caller has to wait (1 if the queue never empties)."""
    if agents <= load:
        return 1.0
    blocking = erlang_b(agents, load)
    return agents * blocking / (agents - load * (1.0 - blocking))


def erlang_c_staffing(
    agents: int, arrival_rate: float, handle_seconds: float, target_seconds: float
) -> Staffing:
    """Return Erlang C's service level, ASA and occupancy for a number of agents."""
    load = arrival_rate * handle_seconds
    waiting = erlang_c(agents, load)
    if agents <= load:
        return Staffing(agents, load, 1.0, 0.0, math.inf, math.inf, 0.0, 1.0)
    service_level = 1.0 - waiting * math.exp(-(agents - load) * target_seconds / handle_seconds)
    asa = waiting * handle_seconds / (agents - load)
    return Staffing(
        agents=agents,
        load_erlangs=load,
        wait_probability=waiting,
        service_level=service_level,
        average_wait=asa,
        answered_wait=asa,
        abandonment=0.0,
        occupancy=load / agents,
    )


def erlang_a_staffing(
    agents: int,
    arrival_rate: float,
    handle_seconds: float,
    patience_seconds: float,
    target_seconds: float,
) -> Staffing:
    """Return Erlang A's service level, waits and abandonment for a number of agents.

    The service level counts callers answered within the target among all callers, so those
    who hang up count against it.
    """
    if patience_seconds == math.inf:
        return erlang_c_staffing(agents, arrival_rate, handle_seconds, target_seconds)
    if agents < 1 or arrival_rate <= 0 or handle_seconds <= 0 or patience_seconds <= 0:
        raise ValueError("agents, rates and times must be positive")
    mu, theta = 1.0 / handle_seconds, 1.0 / patience_seconds
    load = arrival_rate * handle_seconds
    blocking = erlang_b(agents, load)
    if blocking == 0.0:
        return Staffing(agents, load, 0.0, 1.0, 0.0, 0.0, 0.0, load / agents)
    # Probabilities relative to pi_N (all agents busy, nobody waiting): below N they are the
    # truncated Poisson of Erlang B; above, each waiting caller multiplies by lam/(N mu+k theta).
    below = 1.0 / blocking - 1.0
    queue = [1.0]
    total_queue = 1.0
    for k in range(1, MAX_QUEUE_TERMS):
        term = queue[-1] * arrival_rate / (agents * mu + k * theta)
        queue.append(term)
        total_queue += term
        if term < 1e-16 * total_queue and k * theta > arrival_rate:
            break
    pi_n = 1.0 / (below + total_queue)
    a = agents * mu / theta
    x = math.exp(-theta * target_seconds)
    y = 1.0 - x
    x_power = x ** (a + 1.0)
    # I_y(m+1, a+1) = 1 - x^(a+1) * sum_{k<=m} (a+1)_k / k! * y^k, accumulated over m.
    series_term, series_sum = 1.0, 1.0
    harmonic = 0.0
    served_in_time = waiting_mass = queue_length = answered_wait_mass = 0.0
    for m, relative in enumerate(queue):
        probability = relative * pi_n
        if m > 0:
            series_term *= (a + m) / m * y
            series_sum += series_term
        harmonic += 1.0 / (a + 1.0 + m)
        served = a / (a + m + 1.0)
        served_in_time += probability * served * max(0.0, 1.0 - x_power * series_sum)
        answered_wait_mass += probability * served * harmonic / theta
        waiting_mass += probability
        queue_length += probability * m
    abandonment = theta * queue_length / arrival_rate
    answered = 1.0 - abandonment
    return Staffing(
        agents=agents,
        load_erlangs=load,
        wait_probability=waiting_mass,
        service_level=(1.0 - waiting_mass) + served_in_time,
        average_wait=queue_length / arrival_rate,
        answered_wait=answered_wait_mass / answered if answered > 0 else math.inf,
        abandonment=abandonment,
        occupancy=arrival_rate * answered * handle_seconds / agents,
    )


def agents_for_service_level(
    arrival_rate: float,
    handle_seconds: float,
    target_seconds: float,
    service_level: float,
    patience_seconds: float = math.inf,
    max_agents: int = 10_000,
) -> Staffing:
    """Return the fewest agents whose service level meets the target (Erlang A or C)."""

    def staffing(agents: int) -> Staffing:
        return erlang_a_staffing(
            agents, arrival_rate, handle_seconds, patience_seconds, target_seconds
        )

    high = 1
    while staffing(high).service_level < service_level:
        if high >= max_agents:
            raise ValueError(f"no staffing up to {max_agents} agents reaches {service_level:.0%}")
        high = min(max_agents, high * 2)
    low = high // 2 + 1 if high > 1 else 1
    while low < high:
        middle = (low + high) // 2
        if staffing(middle).service_level >= service_level:
            high = middle
        else:
            low = middle + 1
    return staffing(low)
