"""Audio files standing in for recordings: valid WAV and MP3 of the right length."""

from __future__ import annotations

import io
import math
import struct
import wave

WAV_SAMPLE_RATE = 8000
TONE_HERTZ = 400
TONE_AMPLITUDE = 600
MP3_FRAME_HEADER = bytes([0xFF, 0xFB, 0x14, 0xC0])
MP3_FRAME_BYTES = 96
MP3_FRAME_SECONDS = 1152 / 48000


def wav_bytes(seconds: float, channels: int = 1) -> bytes:
    """Return an 8 kHz 16-bit WAV holding a quiet tone for the given length, in one channel
    or two (the second silent)."""
    period = WAV_SAMPLE_RATE // TONE_HERTZ
    one_period = struct.pack(
        f"<{period}h",
        *(int(TONE_AMPLITUDE * math.sin(2 * math.pi * index / period)) for index in range(period)),
    )
    samples = max(0, round(seconds * WAV_SAMPLE_RATE))
    frames = (one_period * (samples // period + 1))[: samples * 2]
    if channels == 2:
        frames = b"".join(frames[i : i + 2] + b"\x00\x00" for i in range(0, len(frames), 2))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(channels)
        audio.setsampwidth(2)
        audio.setframerate(WAV_SAMPLE_RATE)
        audio.writeframes(frames)
    return buffer.getvalue()


def mp3_bytes(seconds: float) -> bytes:
    """Return an MPEG-1 Layer III stream of silent 32 kbit/s mono frames for the given length."""
    frame = MP3_FRAME_HEADER + bytes(MP3_FRAME_BYTES - len(MP3_FRAME_HEADER))
    return frame * max(1, math.ceil(seconds / MP3_FRAME_SECONDS))
