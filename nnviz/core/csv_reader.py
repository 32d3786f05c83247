"""CSV files as data sets: a header row, numeric inputs, a text or numeric target; every error one
line naming the file, line and column.  A plain file is read vectorised (numba for big ones,
fastcsv.py); anything unusual (quotes, ragged rows) goes through the cell-by-cell reader.

Not here: missing-value imputation (a missing cell is an error), categorical *inputs* (only
targets may be text).
"""

from __future__ import annotations

import csv
import io
import math
import re
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


def parse_csv(text: str, where: str = "<csv>", target: str | list[str] | None = None,
              classify: bool = False) -> Dataset:
    """A Dataset from CSV text with a header row; ``target``: column name(s), default the last.

    Plain files (no quotes, one field count, numbers NumPy reads) take a vectorised path
    (``_parse_plain``); everything else, and every error, goes through the csv module
    cell by cell below, so the messages name the line and column."""
    plain = _parse_plain(text.encode("utf-8"), where, target, classify)
    if plain is not None:
        return plain
    return _parse_rows(text, where, target, classify)


def _parse_rows(text: str, where: str, target, classify: bool) -> Dataset:
    """parse_csv cell by cell, with the csv module (every error is worded here)."""
    reader = csv.reader(io.StringIO(text))
    try:
        cells = list(reader)
    except csv.Error as exc:
        raise ValueError(f"{where}: line {reader.line_num}: not a readable CSV file ({exc})") from None
    rows = [(i, r) for i, r in enumerate(cells, start=1) if any(c.strip() for c in r)]
    notes = _empty_rows(cells, where)
    if not rows:
        raise ValueError(f"{where}: the file is empty")
    header_line, header_cells = rows[0]
    header = [h.strip() for h in header_cells]
    if len(header) < 2:
        raise ValueError(f"{where}: line {header_line}: need a header with at least two columns (inputs and a target)")
    if "" in header:
        raise ValueError(f"{where}: line {header_line}: column {header.index('') + 1} has no name "
                         "(every column needs one in the header)")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise ValueError(f"{where}: line {header_line}: the column name {dup!r} appears twice")
    _check_names(header, where, header_line)
    if _all_numbers(header):
        raise ValueError(f"{where}: line {header_line}: the first line must be a header of column names, not numbers")
    body = rows[1:]
    if not body:
        raise ValueError(f"{where}: the file has a header but no data rows")
    for line, r in body:
        if len(r) != len(header):
            raise ValueError(f"{where}: line {line}: {len(r)} fields, the header has {len(header)}")
    targets = _target_columns(header, target, where)
    inputs = [h for h in header if h not in targets]
    if not inputs:
        raise ValueError(f"{where}: no input columns left once the target columns are taken")
    cols = {h: [r[j].strip() for _, r in body] for j, h in enumerate(header)}
    lines = [line for line, _ in body]
    X = np.column_stack([_numeric_column(cols[h], h, lines, where) for h in inputs])
    name = Path(where).stem
    tcells = [cols[t] for t in targets]
    # a column of numbers with a missing cell is still numbers (the missing cell is an error
    # below), not text classes of which "NaN" would be one
    numeric = all(_all_numbers([c for c in col if not _missing(c)]) for col in tcells)
    if numeric and not classify:
        T = np.column_stack([_numeric_column(c, t, lines, where) for c, t in zip(tcells, targets, strict=True)])
        task = "binary" if np.isin(T, (0.0, 1.0)).all() else "regression"
        return Dataset(name, X, T, tuple(inputs), tuple(targets), task, tuple(targets), source=where, notes=notes)
    if len(targets) != 1:
        raise ValueError(f"{where}: a class target must be a single column (got {', '.join(targets)})")
    labels = tcells[0]
    for line, c in zip(lines, labels, strict=True):
        if _missing(c):
            raise ValueError(f"{where}: line {line}, column {targets[0]!r}: missing target value")
        bad = control_character(c)
        if bad:
            raise ValueError(f"{where}: line {line}, column {targets[0]!r}: the class name {c!r} has a "
                             f"control character ({bad})")
    levels = sorted(set(labels), key=float) if numeric else sorted(set(labels))
    if len(levels) < 2:
        raise ValueError(f"{where}: column {targets[0]!r} has a single class ({levels[0]!r}); need at least two")
    if len(levels) > 100:
        raise ValueError(f"{where}: column {targets[0]!r} has {len(levels)} classes; at most 100 are supported")
    index = {c: i for i, c in enumerate(levels)}
    T = np.zeros((len(labels), len(levels)))
    T[np.arange(len(labels)), [index[c] for c in labels]] = 1.0
    return Dataset(name, X, T, tuple(inputs), tuple(levels), "classes", tuple(targets), source=where, notes=notes)


def _empty_rows(cells: list[list[str]], where: str) -> tuple[str, ...]:
    """The note on rows of empty fields (",,,": a spreadsheet's untouched rows), which are
    skipped like blank lines; () when there are none."""
    lines = [i for i, r in enumerate(cells, start=1) if len(r) > 1 and not any(c.strip() for c in r)]
    if not lines:
        return ()
    shown = [str(i) for i in lines[:5]]
    more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
    where_ = (f"line {shown[0]}" if len(lines) == 1 else
              f"lines {', '.join(shown)}{more}" if more else f"lines {', '.join(shown[:-1])} and {shown[-1]}")
    rows = "1 row" if len(lines) == 1 else f"{len(lines)} rows"
    return (f"{where}: {rows} of empty fields skipped ({where_})",)


PLAIN_CHUNK = 65_536  # rows converted at a time on the plain path (bounds its scratch memory)
FASTCSV_FROM = 4 * 2**20  # bytes from which the plain path uses numba (fastcsv.py): its start-up
# (importing numba, loading the compiled code: about a second) pays off from about here


def _fastcsv(buf: np.ndarray):
    """fastcsv.py for a big file when numba is there, else None (NumPy alone)."""
    if buf.size < FASTCSV_FROM:
        return None
    from . import fastcsv

    return fastcsv if fastcsv.AVAILABLE else None


def _parse_plain(raw: bytes, where: str, target, classify: bool) -> Dataset | None:
    """parse_csv for a plain file, vectorised on its bytes; None when the file is not plain
    or anything is amiss (then the cell-by-cell path decides, and words any error).

    Plain: no quote, NUL or lone CR; the first line is the header; every other line (blank
    lines only at the end) has the header's number of fields.  Numbers get exactly the
    values Python's float() gives (fastcsv.py, or NumPy's string-to-float cast without
    numba); anything that is not a finite number (NA, an empty cell) falls back."""
    if b'"' in raw or b"\0" in raw:
        return None
    if b"\r" in raw:
        raw = raw.replace(b"\r\n", b"\n")
        if b"\r" in raw:
            return None
    if not raw.endswith(b"\n") or raw.endswith(b"\n\n"):
        raw = raw.rstrip(b"\n") + b"\n"
    end = raw.index(b"\n")
    try:
        header = [h.strip() for h in raw[:end].decode("utf-8").split(",")]
    except UnicodeDecodeError:
        return None
    if (len(header) < 2 or len(set(header)) != len(header) or _all_numbers(header) or "" in header
            or any(control_character(h) for h in header)):
        return None
    try:
        targets = _target_columns(header, target, where)
    except ValueError:
        return None
    inputs = [h for h in header if h not in targets]
    buf = np.frombuffer(raw, dtype=np.uint8)
    seps = _field_ends(buf, end + 1, len(header))
    if seps is None:
        return None
    line_starts = np.empty(seps.shape[0], dtype=seps.dtype)
    line_starts[0] = end + 1
    line_starts[1:] = seps[:-1, -1] + 1

    def field(h: str) -> tuple[np.ndarray, np.ndarray]:
        j = header.index(h)
        return (line_starts if j == 0 else seps[:, j - 1] + 1), seps[:, j]

    X = np.empty((seps.shape[0], len(inputs)))
    for j, h in enumerate(inputs):
        if not _plain_numbers(buf, *field(h), X[:, j]):
            return None
    name = Path(where).stem
    T = np.empty((seps.shape[0], len(targets)))
    if not classify and all(_plain_numbers(buf, *field(t), T[:, j]) for j, t in enumerate(targets)):
        task = "binary" if np.isin(T, (0.0, 1.0)).all() else "regression"
        return Dataset(name, X, T, tuple(inputs), tuple(targets), task, tuple(targets), source=where)
    if len(targets) != 1:
        return None
    labels = _plain_labels(buf, *field(targets[0]))
    if labels is None:
        return None
    levels, index = labels
    if (not 2 <= len(levels) <= 100 or any(_missing(c) or control_character(c) for c in levels)
            or _all_numbers(levels)):
        return None  # numeric classes sort by value, and the errors are worded below
    T = np.zeros((len(index), len(levels)))
    T[np.arange(len(index)), index.ravel()] = 1.0
    return Dataset(name, X, T, tuple(inputs), tuple(levels), "classes", tuple(targets), source=where)


def _field_ends(buf: np.ndarray, start: int, k: int) -> np.ndarray | None:
    """(lines, k) positions of each field's ending ',' or newline after ``start``; None if a
    line has another number of fields."""
    fastcsv = _fastcsv(buf)
    if fastcsv is not None:
        lines = buf.size - start and int(np.count_nonzero(buf[start:] == ord("\n")))
        seps = np.empty((lines, k), dtype=np.int32 if buf.size < 2**31 else np.int64)
        if not fastcsv.split_fields(buf, start, seps):
            return None
    else:
        seps = np.flatnonzero((buf[start:] == ord(",")) | (buf[start:] == ord("\n"))) + start  # type: ignore[assignment]
        if seps.size % k:
            return None
        seps = seps.reshape(-1, k)
        if not ((buf[seps[:, -1]] == ord("\n")).all() and (buf[seps[:, :-1]] == ord(",")).all()):
            return None
    return seps if seps.size else None


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
        col = np.empty(starts.size)
        slow = fastcsv.parse_numbers(buf, starts, ends, col)
        raw = buf.data
        try:
            for i in slow.tolist():
                col[i] = float(bytes(raw[starts[i]:ends[i]]))
        except ValueError:
            return False
        out[:] = col
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


def load_csv(path: str | Path, target=None, classify: bool = False) -> Dataset:
    """Read a CSV file (see parse_csv); errors name the file, line and column."""
    path = Path(path)
    raw = read_bytes(path)
    nul = _nul_line(raw)
    if nul is not None:
        raise ValueError(f"{path}: line {nul}: a NUL byte (U+0000): not a text file")
    # the plain path reads the bytes (its names must be UTF-8, its numbers are ASCII)
    plain = _parse_plain(raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw, str(path), target, classify)
    if plain is not None:
        return plain
    try:  # as files.read_text(path, fallback_latin1=True), without reading the file again
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    del raw
    return _parse_rows(text, str(path), target, classify)


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
