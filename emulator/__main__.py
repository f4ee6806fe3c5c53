"""Run the phone network emulator from environment settings: `python -m emulator`."""

from __future__ import annotations

import logging

from emulator.app import serve

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    serve()
