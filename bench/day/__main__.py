"""Run the day simulation: python -m bench.day."""

import sys

from bench.day import main

sys.exit(main())
