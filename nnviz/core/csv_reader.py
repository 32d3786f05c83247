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
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from .dataset import Dataset
from .files import read_bytes, read_text

# -- CSV ------------------------------------------------------------------

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


PLAIN_CHUNK = 65_536  # rows converted at a time on the plain path's NumPy way (bounds its scratch memory)
FASTCSV_FROM = 4 * 2**20  # bytes from which the plain path uses numba (fastcsv.py): its start-up
# (importing numba, loading the compiled code: about a second) pays off from about here
BLOCKS = 40  # the plain path reads a file in about this many runs of lines (the progress between them)
BLOCK_MIN = 2**16  # bytes: at least this many in a run (a small file is one or a few)
BLOCK_MAX = 2**23  # bytes: at most (bounds the NumPy way's scratch memory: a few times this)


def _fastcsv(buf: np.ndarray):
    """fastcsv.py for a big file when numba is there, else None (NumPy alone)."""
    if buf.size < FASTCSV_FROM:
        return None
    from . import fastcsv

    return fastcsv if fastcsv.AVAILABLE else None


def _parse_plain(raw: bytes, where: str, target, classify: bool, progress: _Progress | None = None,
                 skip: int = 0) -> Dataset | None:
    """parse_csv for a plain file, vectorised on its bytes (from ``skip``: past a BOM); None
    when the file is not plain or anything is amiss (then the cell-by-cell path decides,
    and words any error).

    Plain: no NUL or lone CR; the first line is the header; every other line (blank lines
    only at the end) has the header's number of fields; no quote, or with numba (a big
    file) simple quoted fields as R's write.csv writes them: "text" with no quote or line
    break inside, then the comma or the line's end.  Numbers get exactly the values Python's
    float() gives (fastcsv.py, or NumPy's string-to-float cast without numba); anything
    that is not a finite number (NA, an empty cell) falls back.

    The body is read in runs of lines (``_runs``): the input columns' numbers go straight
    into X (numba: in the same pass that splits the fields); of the target columns only
    where their fields are is kept until the end, when they become numbers or classes."""
    if b"\0" in raw:
        return None
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:
            return None
    buf = np.frombuffer(raw, dtype=np.uint8)
    fast = _fastcsv(buf)
    quotes = b'"' in raw
    if quotes and fast is None:
        return None
    stop = len(raw)  # the body ends before the blank lines at the end
    while stop > skip and raw[stop - 1] == ord("\n"):
        stop -= 1
    end = raw.find(b"\n", skip, stop)
    if end < 0:  # a header alone, or nothing
        return None
    try:
        names = _simple_fields(raw[skip:end].decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if names is None:
        return None
    header = [h.strip() for h in names]
    if (len(header) < 2 or len(set(header)) != len(header) or _all_numbers(header) or "" in header
            or any(control_character(h) for h in header)):
        return None
    try:
        targets = _target_columns(header, target, where)
    except ValueError:
        return None
    if len(set(targets)) != len(targets):
        return None
    inputs = [h for h in header if h not in targets]
    # where each field goes: column c >= 0 of X, or target -1 - c
    col_of = np.array([inputs.index(h) if h in inputs else -1 - targets.index(h) for h in header], dtype=np.int64)
    runs = _runs(raw, end + 1, stop)
    n = runs[-1][2] + runs[-1][3]
    X = np.empty((n, len(inputs)))
    at = np.int32 if len(raw) < 2**31 else np.int64
    tstarts, tends = np.empty((len(targets), n), dtype=at), np.empty((len(targets), n), dtype=at)
    slow = np.empty((3, 0), dtype=np.int64)  # numba's input fields left for float(), per run
    for pos, bend, row, rows in runs:
        if fast is not None:
            if slow.shape[1] < rows * len(inputs):
                slow = np.empty((3, rows * len(inputs)), dtype=np.int64)
            ok = _fast_run(fast, buf, raw, pos, bend, stop, row, rows, col_of, X, tstarts, tends, slow, quotes)
        else:
            ok = _numpy_run(buf, pos, bend, stop, row, rows, col_of, X, tstarts, tends)
        if not ok or not np.isfinite(X[row:row + rows]).all():
            return None
        if progress is not None:
            progress((row + rows) / n)
    del slow
    name = Path(where).stem
    T = np.empty((len(targets), n))
    if not classify and all(_plain_numbers(buf, tstarts[j], tends[j], T[j]) for j in range(len(targets))):
        T = T.reshape(n, 1) if len(targets) == 1 else np.ascontiguousarray(T.T)
        task = "binary" if np.isin(T, (0.0, 1.0)).all() else "regression"
        return Dataset(name, X, T, tuple(inputs), tuple(targets), task, tuple(targets), source=where)
    del T
    if len(targets) != 1:
        return None
    labels = _plain_labels(buf, tstarts[0], tends[0])
    del tstarts, tends
    if labels is None:
        return None
    levels, index = labels
    if (not 2 <= len(levels) <= 100 or any(_missing(c) or control_character(c) for c in levels)
            or _all_numbers(levels)):
        return None  # numeric classes sort by value, and the errors are worded below
    T = np.zeros((n, len(levels)))
    T[np.arange(n), index] = 1.0
    return Dataset(name, X, T, tuple(inputs), tuple(levels), "classes", tuple(targets), source=where)


def _simple_fields(line: str) -> list[str] | None:
    """The fields of one line as the csv module reads them, when its quoted fields are simple
    ("text" with no quote inside, then a comma or the end) and no other field has a quote;
    None otherwise."""
    out, pos = [], 0
    while True:
        if line.startswith('"', pos):
            close = line.find('"', pos + 1)
            if close < 0:
                return None
            out.append(line[pos + 1:close])
            pos = close + 1
            if pos == len(line):
                return out
            if line[pos] != ",":
                return None
            pos += 1
            continue
        comma = line.find(",", pos)
        field = line[pos:] if comma < 0 else line[pos:comma]
        if '"' in field:
            return None
        out.append(field)
        if comma < 0:
            return out
        pos = comma + 1


def _runs(raw: bytes, body: int, stop: int) -> list[tuple[int, int, int, int]]:
    """The body raw[body:stop] (lines, the last without its newline) in runs of whole lines of
    about 1 / BLOCKS of it each (within BLOCK_MIN and BLOCK_MAX bytes): (start, end, first
    row, rows) of each, the end past the run's last newline (or ``stop``)."""
    step = min(max((stop - body) // BLOCKS, BLOCK_MIN), BLOCK_MAX)
    out = []
    pos, row = body, 0
    while True:
        nl = raw.find(b"\n", pos + step, stop) if pos + step < stop else -1
        end = stop if nl < 0 else nl + 1
        rows = raw.count(b"\n", pos, end) + (nl < 0)  # the last line has no newline before ``stop``
        out.append((pos, end, row, rows))
        if nl < 0:
            return out
        pos, row = end, row + rows


def _fast_run(fast, buf: np.ndarray, raw: bytes, pos: int, bend: int, stop: int, row: int, rows: int,
              col_of: np.ndarray, X: np.ndarray, tstarts: np.ndarray, tends: np.ndarray, slow: np.ndarray,
              quotes: bool) -> bool:
    """A run of lines with numba (fastcsv.read_block), the numbers it leaves through float();
    False if the run is not plain or a field not a number."""
    after, n_slow = fast.read_block(buf, pos, stop, rows, col_of, X, row, tstarts, tends, slow, quotes)
    if after != (bend if bend < stop else stop + 1):
        return False
    if n_slow:
        flat = X.reshape(-1)
        try:
            for i, s, e in zip(*slow[:, :n_slow].tolist(), strict=True):
                flat[i] = float(raw[s:e])
        except ValueError:
            return False
    return True


def _numpy_run(buf: np.ndarray, pos: int, bend: int, stop: int, row: int, rows: int, col_of: np.ndarray,
               X: np.ndarray, tstarts: np.ndarray, tends: np.ndarray) -> bool:
    """A run of lines with NumPy alone: the separators found vectorised, the input fields cast
    from bytes to float64 (Python's float() values); False if the run is not plain or a
    field not a number."""
    k = col_of.size
    blk = buf[pos:bend]
    seps = np.flatnonzero((blk == ord(",")) | (blk == ord("\n"))) + pos
    if bend == stop:  # the file's last line ends at ``stop`` (its newline, if any, is past it)
        seps = np.append(seps, stop)
    if seps.size != rows * k:
        return False
    fields = seps.reshape(rows, k)  # the end of each field
    ends = fields[:-1, -1] if bend == stop else fields[:, -1]
    if not ((buf[ends] == ord("\n")).all() and (buf[fields[:, :-1]] == ord(",")).all()):
        return False
    line_starts = np.empty(rows, dtype=np.int64)
    line_starts[0] = pos
    line_starts[1:] = fields[:-1, -1] + 1
    for j, c in enumerate(col_of.tolist()):
        starts = line_starts if j == 0 else fields[:, j - 1] + 1
        if c < 0:
            tstarts[-1 - c, row:row + rows] = starts
            tends[-1 - c, row:row + rows] = fields[:, j]
            continue
        cells = _plain_cells(buf, starts, fields[:, j])
        if cells is None:
            return False
        try:
            X[row:row + rows, c] = cells.astype(np.float64)
        except ValueError:
            return False
    return True


def _plain_labels(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[list[str], np.ndarray] | None:
    """The distinct fields in sorted order (as str) and each field's index among them; None
    if a field is empty or has surrounding blanks (which parse_csv would strip)."""
    blanks = np.frombuffer(b" \t", dtype=np.uint8)
    if ((ends == starts).any() or np.isin(buf[starts], blanks).any()
            or np.isin(buf[np.maximum(ends - 1, 0)], blanks).any()):
        return None
    fastcsv = _fastcsv(buf)
    if fastcsv is not None:
        h = np.empty(starts.size, dtype=np.uint64)
        fastcsv.hash_fields(buf, starts, ends, h)
        _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
        inverse = inverse.ravel()
        if first.size > 1000 or not fastcsv.same_fields(buf, starts, ends, first, inverse):
            return None
        raw = buf.data
        try:
            names = [bytes(raw[starts[i]:ends[i]]).decode("utf-8") for i in first.tolist()]
        except UnicodeDecodeError:
            return None
        order = sorted(range(len(names)), key=names.__getitem__)
        rank = np.empty(len(names), dtype=np.int64)
        rank[order] = np.arange(len(names))
        return [names[i] for i in order], rank[inverse]
    cells = _plain_cells(buf, starts, ends)
    if cells is None:
        return None
    levels, index = np.unique(cells, return_inverse=True)
    try:
        return [c.decode("utf-8") for c in levels.tolist()], index.ravel()
    except UnicodeDecodeError:
        return None


def _plain_cells(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """The fields buf[starts:ends] as a NumPy bytes array (None if one is empty or has
    surrounding blanks, which parse_csv would strip)."""
    width = int((ends - starts).max())
    if width == 0 or (ends == starts).any():
        return None
    blanks = np.frombuffer(b" \t", dtype=np.uint8)
    if np.isin(buf[starts], blanks).any() or np.isin(buf[ends - 1], blanks).any():
        return None
    cells = np.zeros((starts.size, width), dtype=np.uint8)
    for c in range(width):  # column c of every cell: width passes, no (rows, width) index array
        inside = starts + c < ends
        cells[inside, c] = buf[starts[inside] + c]
    return cells.view(f"S{width}").ravel()


def _plain_numbers(buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, out: np.ndarray) -> bool:
    """The fields as finite numbers into ``out``, as Python's float() reads them; False if
    one is not such a number."""
    fastcsv = _fastcsv(buf)
    if fastcsv is not None:
        slow = fastcsv.parse_numbers(buf, starts, ends, out)
        raw = buf.data
        try:
            for at in range(0, slow.size, 1024):  # a column of text fails on its first field
                for i in slow[at:at + 1024].tolist():
                    out[i] = float(bytes(raw[starts[i]:ends[i]]))
        except ValueError:
            return False
    else:
        for r in range(0, starts.size, PLAIN_CHUNK):
            rows = slice(r, r + PLAIN_CHUNK)
            cells = _plain_cells(buf, starts[rows], ends[rows])
            if cells is None:
                return False
            try:
                out[rows] = cells.astype(np.float64)
            except ValueError:
                return False
    return bool(np.isfinite(out).all())


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
