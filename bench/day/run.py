"""Run the day simulation as a script: python bench/day/run.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.day import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
