"""The cell-by-cell CSV reader (csv_reader.py's path for anything unusual: quotes, ragged rows,
every error), with the csv module: the input columns become numbers a chunk of rows at a time,
the target column's texts are kept; every error is one line naming the file, line and column.
Also the cell checks both paths share (names, numbers, missing values, the target columns)
and ``_Progress``, a reader's ``on_progress``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .dataset import Dataset

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def control_character(name: str) -> str | None:
    """"U+XXXX" of the first control character (Unicode Cc) in ``name``, or None.  A column or
    class name with one is refused wherever nnviz reads names (CSV files, models, sessions):
    predict would write it back as bytes (a NUL, a line break) that no CSV file should hold."""
    m = _CONTROL.search(name)
    return f"U+{ord(m.group()):04X}" if m else None


def _nul_line(raw: bytes | str) -> int | None:
    """The line of the first NUL in a file's contents (None without one)."""
    if isinstance(raw, str):
        at = raw.find("\0")
        return None if at < 0 else raw.count("\n", 0, at) + 1
    at = raw.find(b"\0")
    return None if at < 0 else raw.count(b"\n", 0, at) + 1


def _number(cell: str) -> float | None:
    try:
        v = float(cell)
    except ValueError:
        return None
    return v


class _Progress:
    """A reader's ``on_progress(fraction)``: called as the fraction read passes another
    twentieth (increasing fractions below 1, at most 19 calls), then once with 1.0 when the
    data set is made; nothing without a callback."""

    STEPS = 20

    def __init__(self, on_progress: Callable[[float], None] | None = None):
        self.on_progress = on_progress
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        if (self.on_progress is not None and fraction < 1.0
                and int(fraction * self.STEPS) > int(self.last * self.STEPS)):
            self.last = fraction
            self.on_progress(fraction)

    def done(self) -> None:
        if self.on_progress is not None and self.last < 1.0:
            self.last = 1.0
            self.on_progress(1.0)


ROWS_CHUNK = 16_384  # rows the cell-by-cell reader holds as texts before converting their numbers
LINES_PIECE = 2**20  # characters the cell-by-cell reader gives io.StringIO at a time


def _lines(text: str, progress: _Progress | None = None) -> Iterator[str]:
    """The lines of ``text`` as io.StringIO(text) gives them (each up to and with its "\n",
    nothing translated), a piece at a time: StringIO holds 4 bytes a character, the whole
    text would cost four times its size again."""
    pos, size = 0, len(text)
    while pos < size:
        nl = text.find("\n", pos + LINES_PIECE)
        end = size if nl < 0 else nl + 1
        yield from io.StringIO(text[pos:end])
        pos = end
        if progress is not None:
            progress(pos / size)


def _parse_rows(text: str, where: str, target, classify: bool, progress: _Progress | None = None) -> Dataset:
    """parse_csv cell by cell, with the csv module (every error is worded here).

    One pass over the records: the input columns become numbers ROWS_CHUNK rows at a time
    (their texts are not kept), the target columns' texts are kept (classes or numbers is
    decided once all are read).  The errors are those of reading everything first and then
    checking in this order: the CSV syntax, the header, the rows' field counts, the target
    columns, the inputs column by column, the targets."""
    body = _RowsBody(where, target)
    reader = csv.reader(_lines(text, progress))
    try:
        body.read(reader)
    except csv.Error as exc:
        raise ValueError(f"{where}: line {reader.line_num}: not a readable CSV file ({exc})") from None
    return body.dataset(classify)


class _RowsBody:
    """The records of a CSV file as _parse_rows reads them, and what they make."""

    def __init__(self, where: str, target):
        self.where, self.target = where, target
        self.header: list[str] | None = None
        # the header's error, and the target columns' (no such column, no inputs left): said once
        # all is read, the first before the rows' field counts, the second after them
        self.header_error: str | None = None
        self.columns_error: str | None = None
        self.empty: list[int] = []  # rows of empty fields (",,,")
        self.rows = 0  # non-blank rows after the header
        self.ragged: tuple[int, int] | None = None  # the first (line, fields) of another field count
        self.lines: list[np.ndarray] = []  # the line of each converted row, per chunk
        self.X: list[np.ndarray] = []  # the input columns, per chunk
        self.bad: dict[int, str] = {}  # input column -> the error of its first bad cell
        self.targets: list[str] = []
        self.inputs: list[str] = []
        self.tcells: list[list[str]] = []

    def read(self, reader) -> None:
        """Every record: the header, then the rows, converted a chunk at a time."""
        chunk: list[list[str]] = []
        lines: list[int] = []
        k = 0
        for i, r in enumerate(reader, start=1):
            if not "".join(r).strip():  # no cell with more than blanks
                if len(r) > 1:
                    self.empty.append(i)
                continue
            if self.header is None:
                self._start(i, [h.strip() for h in r])
                k = len(self.header or ())
                continue
            self.rows += 1
            if len(r) != k:
                if self.ragged is None:
                    self.ragged = (i, len(r))
                continue
            if self.header_error is None and self.columns_error is None and self.ragged is None:
                chunk.append(r)
                lines.append(i)
                if len(chunk) >= ROWS_CHUNK:
                    self._convert(chunk, lines)
                    chunk, lines = [], []
        if self.header_error is None and self.columns_error is None and self.ragged is None:
            self._convert(chunk, lines)

    def _start(self, line: int, header: list[str]) -> None:
        self.header = header
        where = self.where
        try:
            if len(header) < 2:
                raise ValueError(f"{where}: line {line}: need a header with at least two columns (inputs and a target)")
            if "" in header:
                raise ValueError(f"{where}: line {line}: column {header.index('') + 1} has no name "
                                 "(every column needs one in the header)")
            if len(set(header)) != len(header):
                dup = next(h for h in header if header.count(h) > 1)
                raise ValueError(f"{where}: line {line}: the column name {dup!r} appears twice")
            _check_names(header, where, line)
            if _all_numbers(header):
                raise ValueError(f"{where}: line {line}: the first line must be a header of column names, not numbers")
        except ValueError as exc:
            self.header_error = str(exc)
            return
        try:
            self.targets = _target_columns(header, self.target, where)
        except ValueError as exc:
            self.columns_error = str(exc)
            return
        self.inputs = [h for h in header if h not in self.targets]
        if not self.inputs:
            self.columns_error = f"{where}: no input columns left once the target columns are taken"
            return
        self.tcells = [[] for _ in self.targets]

    def _convert(self, rows: list[list[str]], lines: list[int]) -> None:
        """A chunk's input cells as numbers (the first bad cell of a column is kept as its
        error), its target cells as texts."""
        header = self.header
        if not rows or header is None:
            return
        columns = list(zip(*rows, strict=True))  # every row has the header's fields
        at = np.array(lines, dtype=np.int64)
        X = np.empty((len(rows), len(self.inputs)))
        for c, h in enumerate(self.inputs):
            if c in self.bad:
                continue
            try:
                X[:, c] = _numbers(columns[header.index(h)], h, at, self.where)
            except ValueError as exc:
                self.bad[c] = str(exc)
        for cells, t in zip(self.tcells, self.targets, strict=True):
            cells.extend(map(str.strip, columns[header.index(t)]))
        self.lines.append(at)
        self.X.append(X)

    def dataset(self, classify: bool) -> Dataset:
        where = self.where
        notes = _empty_note(self.empty, where)
        if self.header is None:
            raise ValueError(f"{where}: the file is empty")
        if self.header_error is not None:
            raise ValueError(self.header_error)
        if not self.rows:
            raise ValueError(f"{where}: the file has a header but no data rows")
        if self.ragged is not None:
            line, fields = self.ragged
            raise ValueError(f"{where}: line {line}: {fields} fields, the header has {len(self.header)}")
        if self.columns_error is not None:
            raise ValueError(self.columns_error)
        if self.bad:
            raise ValueError(self.bad[min(self.bad)])
        X = self.X[0] if len(self.X) == 1 else np.concatenate(self.X)
        self.X = []
        lines = self.lines[0] if len(self.lines) == 1 else np.concatenate(self.lines)
        targets, tcells, inputs = self.targets, self.tcells, self.inputs
        name = Path(where).stem
        # a column of numbers with a missing cell is still numbers (the missing cell is an error
        # below), not text classes of which "NaN" would be one
        numeric = all(_numbers_or_missing(col) for col in tcells)
        if numeric and not classify:
            T = np.column_stack([_numbers(c, t, lines, where) for c, t in zip(tcells, targets, strict=True)])
            task = "binary" if np.isin(T, (0.0, 1.0)).all() else "regression"
            return Dataset(name, X, T, tuple(inputs), tuple(targets), task, tuple(targets), source=where, notes=notes)
        if len(targets) != 1:
            raise ValueError(f"{where}: a class target must be a single column (got {', '.join(targets)})")
        labels = tcells[0]
        distinct = set(labels)
        bad = {c for c in distinct if _missing(c) or control_character(c)}
        if bad:  # the first such cell, as a loop over the cells in order would meet it
            line, c = next((line, c) for line, c in zip(lines.tolist(), labels, strict=True) if c in bad)
            if _missing(c):
                raise ValueError(f"{where}: line {line}, column {targets[0]!r}: missing target value")
            raise ValueError(f"{where}: line {line}, column {targets[0]!r}: the class name {c!r} has a "
                             f"control character ({control_character(c)})")
        levels = sorted(distinct, key=float) if numeric else sorted(distinct)
        if len(levels) < 2:
            raise ValueError(f"{where}: column {targets[0]!r} has a single class ({levels[0]!r}); need at least two")
        if len(levels) > 100:
            raise ValueError(f"{where}: column {targets[0]!r} has {len(levels)} classes; at most 100 are supported")
        index = {c: i for i, c in enumerate(levels)}
        T = np.zeros((len(labels), len(levels)))
        T[np.arange(len(labels)), np.fromiter(map(index.__getitem__, labels), dtype=np.int64, count=len(labels))] = 1.0
        return Dataset(name, X, T, tuple(inputs), tuple(levels), "classes", tuple(targets), source=where, notes=notes)


def _numbers(cells, name: str, lines, where: str) -> np.ndarray:
    """_numeric_column, with float() over all the cells first (float() ignores the blanks
    around a number as strip() does); a bad cell: the cell-by-cell loop finds and words it."""
    try:
        out = np.fromiter(map(float, cells), dtype=np.float64, count=len(cells))
    except ValueError:
        out = None
    if out is None or not np.isfinite(out).all():
        out = _numeric_column([c.strip() for c in cells], name, lines, where)
    return out


def _numbers_or_missing(cells: list[str]) -> bool:
    """Every cell that is not missing (empty, NA, NaN) is a number (a column of numeric targets)."""
    try:
        if not np.isnan(np.fromiter(map(float, cells), dtype=np.float64, count=len(cells))).any():
            return True
    except ValueError:  # a cell float() refuses: a missing one, or text
        pass
    return all(_number(c) is not None and c.upper() != "NAN" for c in cells if not _missing(c))


def _empty_rows(cells: list[list[str]], where: str) -> tuple[str, ...]:
    """The note on rows of empty fields (",,,": a spreadsheet's untouched rows), which are
    skipped like blank lines; () when there are none."""
    return _empty_note([i for i, r in enumerate(cells, start=1) if len(r) > 1 and not any(c.strip() for c in r)],
                       where)


def _empty_note(lines: list[int], where: str) -> tuple[str, ...]:
    """_empty_rows of the rows of empty fields at these lines."""
    if not lines:
        return ()
    shown = [str(i) for i in lines[:5]]
    more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
    where_ = (f"line {shown[0]}" if len(lines) == 1 else
              f"lines {', '.join(shown)}{more}" if more else f"lines {', '.join(shown[:-1])} and {shown[-1]}")
    rows = "1 row" if len(lines) == 1 else f"{len(lines)} rows"
    return (f"{where}: {rows} of empty fields skipped ({where_})",)


def _missing(cell: str) -> bool:
    """An empty cell, NA or NaN (any case): a missing value, an error in any column."""
    return cell.strip().upper() in ("", "NA", "NAN")


def _check_names(header: list[str], where: str, line: int) -> None:
    for h in header:
        bad = control_character(h)
        if bad:
            raise ValueError(f"{where}: line {line}: the column name {h!r} has a control character ({bad})")


def _all_numbers(cells: list[str]) -> bool:
    return all(_number(c) is not None and c.upper() != "NAN" for c in cells)


def _target_columns(header: list[str], target, where: str) -> list[str]:
    if target is None:
        return [header[-1]]
    names = [t.strip() for t in (target.split(",") if isinstance(target, str) else target) if t.strip()]
    for t in names:
        if t not in header:
            raise ValueError(f"{where}: no column named {t!r} (columns: {', '.join(header)})")
    return names


def _numeric_column(cells: list[str], name: str, lines: list[int], where: str) -> np.ndarray:
    out = np.empty(len(cells))
    for i, (line, c) in enumerate(zip(lines, cells, strict=True)):
        v = _number(c)
        if _missing(c) or v is None or not math.isfinite(v):
            what = "missing value" if _missing(c) else f"{c!r} is not a finite number"
            raise ValueError(f"{where}: line {line}, column {name!r}: {what}")
        out[i] = v
    return out
