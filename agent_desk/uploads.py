"""Feeds uploaded on the desk, kept where the worker can read them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import IO

from werkzeug.utils import secure_filename

from agent_desk.errors import DeskError
from hotline.settings import instance_dir

UPLOAD_SUFFIXES = {".csv", ".json", ".xml"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def save_upload(filename: str, stream: IO[bytes]) -> Path:
    """Keep an uploaded feed in the instance folder, where the worker can read it.

    Each upload gets a folder of its own and keeps its own name, so that an import names
    its offers' source after the file as the command line does: uploading the same file
    again updates its offers in place instead of adding them a second time.
    """
    name = secure_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise DeskError("upload a .csv, .json or .xml file")
    folder = instance_dir() / "imports" / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DeskError("the file is larger than 20 MB")
    target.write_bytes(data)
    return target
