"""Reading files with one-line errors that name the file (shared by every loader)."""

from __future__ import annotations

from pathlib import Path


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; ValueError '<path>: no such file' / 'is a folder' / 'cannot read (...)'."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None


def read_text(path: str | Path, fallback_latin1: bool = False) -> str:
    """The file as UTF-8 text (a BOM is dropped); Latin-1 as a fallback for CSV files."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fallback_latin1:
            return raw.decode("latin-1")
        raise ValueError(f"{path}: not a UTF-8 text file") from None
