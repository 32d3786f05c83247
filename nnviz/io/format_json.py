"""The JSON model format, nnviz's reference (see document.py for its fields).

Floats are written with Python's shortest round-trip repr, so save -> load is bit-exact.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.model import Model
from .document import model_from_dict, model_to_dict, parse_json

EXTENSION = ".json"
ORDER = 1  # its place in the list of formats


def save_bytes(model: Model) -> bytes:
    return (json.dumps(model_to_dict(model), indent=1) + "\n").encode("utf-8")


def load_bytes(raw: bytes, path: Path) -> Model:
    return model_from_dict(parse_json(raw))
