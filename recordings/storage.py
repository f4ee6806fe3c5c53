"""Where recorded audio is kept once downloaded: a store behind a small interface.

The local folder is the default; an S3-compatible store (MinIO, Ceph, a cloud bucket) can
implement the same four methods later and be chosen by configuration. Every write is checked
by reading the stored copy back: its size and SHA-256 must match what was downloaded.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$")
CHUNK = 64 * 1024


class StoreError(RuntimeError):
    """The store could not keep, check or find a recording."""


@dataclass(frozen=True)
class StoredAudio:
    """What the store holds under a key: its size and checksum."""

    key: str
    size: int
    sha256: str


class AudioStore(Protocol):
    """Keeps recorded audio by key."""

    def put(self, key: str, audio: bytes) -> StoredAudio:
        """Store audio under key (replacing what was there) and return its checked facts."""

    def check(self, key: str) -> StoredAudio | None:
        """Return the size and checksum of what is stored under key, or None if nothing is."""

    def open(self, key: str) -> BinaryIO:
        """Open the stored audio for reading; StoreError if it is gone."""

    def delete(self, key: str) -> bool:
        """Delete the audio under key; return False if nothing was there."""


def digest(audio: bytes) -> str:
    """Return the SHA-256 of some audio, in hex."""
    return hashlib.sha256(audio).hexdigest()


class FolderStore:
    """Recorded audio as files in a local folder (the default store)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        """Return the file a key names, refusing keys that would leave the folder."""
        if not KEY_PATTERN.match(key) or ".." in key.split("/"):
            raise StoreError(f"not a storage key: {key!r}")
        return self.folder / key

    def put(self, key: str, audio: bytes) -> StoredAudio:
        """Write the audio to a temporary file, flush it to disk, then move it into place."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with partial.open("wb") as file:
            file.write(audio)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(target)
        stored = self.check(key)
        if stored is None or stored.size != len(audio) or stored.sha256 != digest(audio):
            raise StoreError(f"{key}: the stored copy does not match what was downloaded")
        return stored

    def check(self, key: str) -> StoredAudio | None:
        """Read the stored file through, for its size and checksum."""
        target = self.path(key)
        if not target.is_file():
            return None
        sha = hashlib.sha256()
        size = 0
        with target.open("rb") as file:
            while chunk := file.read(CHUNK):
                sha.update(chunk)
                size += len(chunk)
        return StoredAudio(key, size, sha.hexdigest())

    def open(self, key: str) -> BinaryIO:
        """Open the stored file."""
        try:
            return self.path(key).open("rb")
        except FileNotFoundError as exc:
            raise StoreError(f"{key}: no audio stored") from exc

    def delete(self, key: str) -> bool:
        """Delete the stored file."""
        target = self.path(key)
        if not target.is_file():
            return False
        target.unlink()
        return True


def make_store(folder: str) -> AudioStore:
    """Return the store the settings choose (today: a local folder)."""
    return FolderStore(folder)
