"""CSV files as data sets: a header row, numeric inputs, a text or numeric target; every error one
line naming the file, line and column.  A plain file is read vectorised (numba for big ones,
fastcsv.py), a run of lines at a time, its numbers straight into the data matrix; anything
unusual (quotes, ragged rows) goes through the cell-by-cell reader, which converts the
input columns as it goes (it keeps the target column's texts only).  Both can say how far
they have read (``on_progress``), for a progress bar on a big file.

Not here: missing-value imputation (a missing cell is an error), categorical *inputs* (only
targets may be text).
"""

from __future__ import annotations
import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .csv_plain import FASTCSV_FROM, PLAIN_CHUNK, _parse_plain
from .csv_rows import (_all_numbers, _check_names, _empty_rows, _nul_line, _numeric_column, _parse_rows, _Progress,
                       control_character)
from .dataset import Dataset
from .files import read_bytes, read_text

# The two paths live next to this module: csv_plain.py (the vectorised one: FASTCSV_FROM,
# PLAIN_CHUNK, BLOCK_MIN, ...) and csv_rows.py (the cell-by-cell one: ROWS_CHUNK, LINES_PIECE,
# and the cell checks both share).  Their constants are read there: patch them there.
__all__ = ["FASTCSV_FROM", "PLAIN_CHUNK", "control_character", "load_csv", "load_inputs", "parse_csv",
           "parse_inputs", "suggest_target"]


def parse_csv(text: str, where: str = "<csv>", target: str | list[str] | None = None,
              classify: bool = False, on_progress: Callable[[float], None] | None = None) -> Dataset:
    """A Dataset from CSV text with a header row; ``target``: column name(s), default the last.

    Plain files (no quotes, one field count, numbers NumPy reads) take a vectorised path
    (``_parse_plain``); everything else, and every error, goes through the csv module
    cell by cell below, so the messages name the line and column.  ``on_progress``: see
    ``load_csv``."""
    progress = _Progress(on_progress)
    ds = _parse_plain(text.encode("utf-8"), where, target, classify, progress)
    if ds is None:
        ds = _parse_rows(text, where, target, classify, progress)
    progress.done()
    return ds


def load_csv(path: str | Path, target=None, classify: bool = False,
             on_progress: Callable[[float], None] | None = None) -> Dataset:
    """Read a CSV file (see parse_csv); errors name the file, line and column.

    ``on_progress(fraction)``, if given, is called in the reading thread as the reading goes
    (fractions below 1, increasing, about every twentieth of the file: at most 19 times), then
    with 1.0 once the data set is made (not after an error)."""
    path = Path(path)
    progress = _Progress(on_progress)
    raw = read_bytes(path)
    nul = _nul_line(raw)
    if nul is not None:
        raise ValueError(f"{path}: line {nul}: a NUL byte (U+0000): not a text file")
    # the plain path reads the bytes (its names must be UTF-8, its numbers are ASCII)
    ds = _parse_plain(raw, str(path), target, classify, progress, skip=3 if raw.startswith(b"\xef\xbb\xbf") else 0)
    if ds is None:
        try:  # as files.read_text(path, fallback_latin1=True), without reading the file again
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        del raw
        ds = _parse_rows(text, str(path), target, classify, progress)
    progress.done()
    return ds


def load_inputs(path: str | Path, names: tuple[str, ...],
                notes: list[str] | None = None) -> tuple[np.ndarray, list[list[str]], list[str]]:
    """The named input columns of a CSV file as a matrix, plus all rows and the header (for output);
    rows of empty fields are skipped, as by parse_csv, and said in ``notes``."""
    path = Path(path)
    return parse_inputs(read_text(path, fallback_latin1=True), str(path), names, notes)


def parse_inputs(text: str, where: str, names: tuple[str, ...],
                 notes: list[str] | None = None) -> tuple[np.ndarray, list[list[str]], list[str]]:
    """load_inputs of CSV text (standard input, say); ``where`` names it in errors."""
    path = where
    nul = _nul_line(text)
    if nul is not None:
        raise ValueError(f"{path}: line {nul}: a NUL byte (U+0000): not a text file")
    reader = csv.reader(io.StringIO(text))
    try:
        cells = list(reader)
    except csv.Error as exc:
        raise ValueError(f"{path}: line {reader.line_num}: not a readable CSV file ({exc})") from None
    rows = [(i, r) for i, r in enumerate(cells, start=1) if any(c.strip() for c in r)]
    if notes is not None:
        notes.extend(_empty_rows(cells, str(path)))
    if len(rows) < 2:
        raise ValueError(f"{path}: need a header row and at least one data row")
    header = [h.strip() for h in rows[0][1]]
    _check_names(header, str(path), rows[0][0])
    missing = [n for n in names if n not in header]
    if missing:
        raise ValueError(f"{path}: no column named {missing[0]!r} (the model needs {', '.join(names)})")
    twice = [n for n in names if header.count(n) > 1]
    if twice:
        raise ValueError(f"{path}: line {rows[0][0]}: the column {twice[0]!r} appears twice: "
                         "which one is the model's input?")
    body = rows[1:]
    for line, r in body:
        if len(r) != len(header):
            raise ValueError(f"{path}: line {line}: {len(r)} fields, the header has {len(header)}")
    lines = [line for line, _ in body]
    X = np.column_stack([
        _numeric_column([r[header.index(n)].strip() for _, r in body], n, lines, str(path)) for n in names])
    return X, [r for _, r in body], header


def suggest_target(path: str | Path) -> str | None:
    """The column a user most likely wants as target: the last one, unless it is numeric
    and exactly one other column holds text (a class label placed first, say)."""
    try:
        if not Path(path).is_file():  # a FIFO or a device: the loader says why, without blocking here
            return None
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            rows = [r for _, r in zip(range(2001), csv.reader(fh), strict=False) if any(c.strip() for c in r)]
    except (OSError, csv.Error):
        return None
    if len(rows) < 2:
        return None
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if len(r) == len(header)]
    text = [h for j, h in enumerate(header)
            if not _all_numbers([r[j].strip() for r in body if r[j].strip().upper() not in ("", "NA")])]
    if header[-1] not in text and len(text) == 1:
        return text[0]
    return header[-1]
