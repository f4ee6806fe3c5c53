"""The phone network emulator: plays Twilio's part so the centre runs without a Twilio account.

Start it with `python -m emulator` (or `hotline emulator`), or in-process with
`emulator.app.EmulatorServer`.
"""
