"""The vectorised CSV path (csv_reader.py's path for a plain file): the body read a run of
lines at a time, with NumPy alone or numba (fastcsv.py) for a big file, its numbers straight
into the data matrix; None whenever anything is amiss, so that the cell-by-cell path
(csv_rows.py) decides and words the error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .csv_rows import _all_numbers, _missing, _Progress, _target_columns, control_character
from .dataset import Dataset

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
