"""Tests of the phone network emulator."""
