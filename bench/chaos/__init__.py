"""bench/chaos: kill every kind of process of a running centre, and Redis, during 500 calls."""
