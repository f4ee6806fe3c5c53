"""Benchmark one routing decision against the length of the queue.

Run: python -m bench.routing [--decisions 3000]   (or python bench/routing/run.py)

The decision measured is the one the router makes all day: a consultant becomes free and gets
the best call for them (own customers first, then the widest pool their office and languages
allow, priority callers and the longest wait first). It runs through the real engine (one Lua
script on Redis) with 100, 1,000 and 10,000 calls waiting in a mix of tiers and 1,000 logged-in
consultants, all busy but the one being freed. The naive baseline in the same run reads every
waiting entry from Redis (one pipelined round trip) and scans them in Python for the same
consultant; the two must choose the same call. It starts its own redis-server unless REDIS_URL
names an empty database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import dataclass

import redis

from bench.routing.server import private_redis
from routing import keys
from routing.engine import ConsultantProfile, QueueEntry, RoutingEngine
from routing.live import ConsultantState
from routing.policy import RoutingPolicy

SIZES = (100, 1_000, 10_000)
CONSULTANTS = 1_000
OFFICES = ("DS", "KP", "LU", "LB", "LD", "MA", "MZ", "OP", "PK", "PD", "PM", "SL", "SK", "WN",
           "WP", "ZP")  # fmt: skip
CALLER_LANGUAGES = (("pl", 0.88), ("uk", 0.06), ("en", 0.04), ("ro", 0.02))
QUEUE_SID = "QU" + "0" * 32


class VirtualClock:
    """A clock the benchmark sets."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Population:
    """The consultants and callers of one benchmark size."""

    engine: RoutingEngine
    profiles: list[ConsultantProfile]
    rng: random.Random
    next_call: int = 0


def percentile(values: list[float], share: float) -> float:
    """Return the value below which share of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def pick_language(rng: random.Random) -> str:
    """Draw a caller's language."""
    roll, total = rng.random(), 0.0
    for language, share in CALLER_LANGUAGES:
        total += share
        if roll < total:
            return language
    return "pl"


def add_caller(population: Population) -> None:
    """Queue one caller: 70% with an advisor (and their office), 5% vulnerable."""
    rng, engine = population.rng, population.engine
    sid = f"CA{population.next_call:032d}"
    population.next_call += 1
    advisor = rng.randrange(CONSULTANTS) if rng.random() < 0.7 else None
    office = population.profiles[advisor].office if advisor is not None else rng.choice(OFFICES)
    engine.join(
        QueueEntry(
            call_sid=sid,
            caller_number=f"+4860{population.next_call:07d}",
            advisor_id=advisor,
            office=office,
            language=pick_language(rng),
            priority=1 if rng.random() < 0.05 else 0,
            queued_at=engine.clock(),
        )
    )
    engine.mark_waiting(sid, QUEUE_SID)


def build(client: redis.Redis, waiting: int, seed: int) -> Population:
    """Log in 1,000 busy consultants and queue callers over ten minutes, in every tier."""
    client.flushdb()
    clock = VirtualClock(1_000_000.0)
    engine = RoutingEngine(client, clock, policy=RoutingPolicy())
    rng = random.Random(seed)
    profiles = []
    for ident in range(CONSULTANTS):
        extras = (("en", 0.12), ("uk", 0.06), ("ro", 0.03))
        languages = ["pl"] + [extra for extra, share in extras if rng.random() < share]
        profile = ConsultantProfile(ident, f"c{ident}", OFFICES[ident % len(OFFICES)], languages)
        profiles.append(profile)
        engine.set_state(ident, ConsultantState.ON_CALL, profile=profile)
    population = Population(engine, profiles, rng)
    start = clock.now
    for index in range(waiting):
        clock.now = start + 600.0 * index / waiting
        add_caller(population)
    clock.now = start + 600.0
    engine.tick(30)  # settle every call in its tier; nobody is free, so nothing is offered
    return population


def naive_choice(client: redis.Redis, profile: ConsultantProfile) -> str | None:
    """Read every waiting entry and pick the best one for this consultant in Python."""
    sids = [bytes(sid).decode() for sid in client.zrange(keys.WAITING, 0, -1)]  # type: ignore[arg-type]
    pipe = client.pipeline(transaction=False)
    for sid in sids:
        pipe.hmget(
            keys.entry(sid), "advisor_id", "office", "language", "tier", "score", "own_first"
        )
    me, languages = str(profile.consultant_id), set(profile.languages)
    own: tuple[float, str] | None = None
    best: tuple[float, str] | None = None
    for sid, row in zip(sids, pipe.execute(), strict=True):
        advisor, office, language, tier_text, score_text, own_first = (
            (value or b"").decode() for value in row
        )
        tier, key = int(tier_text), (float(score_text), sid)
        if advisor == me and (own_first == "1" or tier == 1):
            own = min(own, key) if own else key
        elif (
            tier >= 4
            or (tier >= 3 and language in languages)
            or (tier >= 2 and office == profile.office)
        ):
            best = min(best, key) if best else key
    chosen = own or best
    return chosen[1] if chosen else None


def decide(population: Population, consultant: int) -> tuple[float, str | None]:
    """Free one consultant, time the engine's decision, then put everything back as it was."""
    engine = population.engine
    engine.set_state(consultant, ConsultantState.AVAILABLE)
    started = time.perf_counter()
    assignment = engine.assign_next(30)
    elapsed = time.perf_counter() - started
    if assignment is None:
        engine.set_state(consultant, ConsultantState.ON_CALL)
        return elapsed, None
    engine.connected(assignment.call_sid, consultant)
    engine.finish(assignment.call_sid, "answered")
    engine.set_state(consultant, ConsultantState.ON_CALL)
    add_caller(population)
    return elapsed, assignment.call_sid


def measure(url: str, waiting: int, decisions: int, naive_decisions: int) -> dict[str, object]:
    """Time the engine and the naive scan at one queue length."""
    client = redis.Redis.from_url(url)
    population = build(client, waiting, seed=waiting)
    rng = random.Random(7)
    engine_times: list[float] = []
    naive_times: list[float] = []
    agree = 0
    for _ in range(naive_decisions):
        consultant = rng.randrange(CONSULTANTS)
        started = time.perf_counter()
        expected = naive_choice(client, population.profiles[consultant])
        naive_times.append(time.perf_counter() - started)
        elapsed, chosen = decide(population, consultant)
        engine_times.append(elapsed)
        agree += chosen == expected
    for _ in range(decisions - naive_decisions):
        engine_times.append(decide(population, rng.randrange(CONSULTANTS))[0])
    return {
        "waiting": int(client.zcard(keys.WAITING)),
        "engine_median": statistics.median(engine_times) * 1000,
        "engine_p99": percentile(engine_times, 0.99) * 1000,
        "naive_median": statistics.median(naive_times) * 1000,
        "naive_p99": percentile(naive_times, 0.99) * 1000,
        "agree": agree,
        "compared": naive_decisions,
    }


def main() -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=3000, help="engine decisions per size")
    args = parser.parse_args()
    naive = {100: 300, 1_000: 100, 10_000: 30}
    started = time.perf_counter()
    with private_redis() as url:
        rows = [measure(url, size, args.decisions, naive[size]) for size in SIZES]
    wall = time.perf_counter() - started
    print("bench/routing: one decision (a consultant becomes free and gets the best call)")
    print(
        f"{CONSULTANTS:,} logged-in consultants in {len(OFFICES)} offices, callers in 4 "
        "languages, 70% with an advisor, 5% vulnerable, queued over 10 min in every tier"
    )
    print(
        "engine: the Lua decision on Redis incl. the round trip; naive: read all waiting "
        "entries (pipelined) and scan them in Python, no claim"
    )
    print(
        f"{'waiting':>8} {'engine median':>14} {'engine p99':>11} {'naive median':>13} "
        f"{'naive p99':>10} {'naive/engine':>13} {'same choice':>12}"
    )
    for row in rows:
        ratio = row["naive_median"] / row["engine_median"]  # type: ignore[operator]
        print(
            f"{row['waiting']:>8,} {row['engine_median']:>11.3f} ms {row['engine_p99']:>8.3f} ms"
            f" {row['naive_median']:>10.3f} ms {row['naive_p99']:>7.3f} ms {ratio:>12.1f}x"
            f" {row['agree']:>6}/{row['compared']}"
        )
    first, last = rows[0], rows[-1]
    engine_growth = last["engine_median"] / first["engine_median"]  # type: ignore[operator]
    naive_growth = last["naive_median"] / first["naive_median"]  # type: ignore[operator]
    print(
        f"growth 100 -> 10,000 waiting: engine {engine_growth:.2f}x (goal < 2x), "
        f"naive {naive_growth:.1f}x"
    )
    met = last["engine_median"] < 1.0 and engine_growth < 2  # type: ignore[operator]
    print(
        "goal (engine median < 1 ms at 10,000 waiting, growth < 2x): "
        f"{'met' if met else 'NOT met'}; run took {wall:.1f} s"
    )
    agreed = all(row["agree"] == row["compared"] for row in rows)
    return 0 if agreed else 1
