"""Print what the degraded transcripts say: python -m bench.degraded."""

import sys

from bench.degraded import main

sys.exit(main())
