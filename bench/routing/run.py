"""Run the routing decision benchmark as a script: python bench/routing/run.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.routing import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
