"""Compiled helpers for reading big plain CSV files (csv_reader.py's vectorised path).

``read_block`` reads a run of lines of a plain CSV body (no quotes) in one pass: it checks
that each line has the header's number of fields, writes the input columns' numbers
straight into the data matrix and keeps where the target columns' fields are;
``parse_numbers`` turns such fields into floats.  A number is converted here only when
the conversion is exact by construction: at most 15 significant digits and a power of ten
up to 1e22 (Clinger's fast path: one correctly rounded multiplication or division of two
exactly representable numbers), which is what Python's float() gives.  Every other field
(more digits, blanks, underscores, NA, inf) is left for Python's float() by the caller,
so the values are always float()'s.

Without numba (an optional speed-up here) csv_reader.py uses NumPy's string-to-float
cast instead: the same values, slower.
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None  # type: ignore[assignment]

AVAILABLE = numba is not None
_POW10 = np.array([10.0 ** i for i in range(23)])  # exactly representable: 1 ... 1e22


def _jit(fn):
    return numba.njit(nogil=True, cache=True)(fn) if numba is not None else fn


@_jit
def _number(buf, i, e, pow10):
    """(True, the number in buf[i:e]) where the fast path applies, else (False, 0.0)."""
    neg = False
    if i < e and (buf[i] == 45 or buf[i] == 43):  # - +
        neg = buf[i] == 45
        i += 1
    mant = 0
    digits = 0  # significant digits (leading zeros do not count)
    seen = 0  # digits of any kind in the mantissa
    scale = 0  # power of ten from the decimal point
    point = False
    while i < e:
        c = buf[i]
        if 48 <= c <= 57:
            seen += 1
            if mant or c != 48:
                digits += 1
                if digits > 15:
                    return False, 0.0
                mant = mant * 10 + (c - 48)
            if point:
                scale -= 1
        elif c == 46 and not point:  # .
            point = True
        else:
            break
        i += 1
    if i < e and (buf[i] == 101 or buf[i] == 69) and seen:  # e E
        i += 1
        eneg = False
        if i < e and (buf[i] == 45 or buf[i] == 43):
            eneg = buf[i] == 45
            i += 1
        ex, edigits = 0, 0
        while i < e and 48 <= buf[i] <= 57 and ex < 1000:
            ex = ex * 10 + (buf[i] - 48)
            edigits += 1
            i += 1
        if edigits == 0:
            return False, 0.0
        scale += -ex if eneg else ex
    if i != e or seen == 0 or scale > 22 or scale < -22:
        return False, 0.0
    v = float(mant)
    v = v * pow10[scale] if scale >= 0 else v / pow10[-scale]
    return True, -v if neg else v


@_jit
def parse_numbers(buf, starts, ends, out):
    """out[i] = the number in buf[starts[i]:ends[i]] where the fast path applies; returns
    the indices of the other fields (for Python's float())."""
    pow10 = _POW10
    n_slow = 0
    for f in range(starts.size):
        ok, v = _number(buf, starts[f], ends[f], pow10)
        if ok:
            out[f] = v
        else:
            n_slow += 1
    slow = np.empty(n_slow, np.int64)
    n_slow = 0
    if slow.size:
        for f in range(starts.size):
            ok, v = _number(buf, starts[f], ends[f], pow10)
            if not ok:
                slow[n_slow] = f
                n_slow += 1
    return slow


@_jit
def read_block(buf, pos, stop, rows, col_of, X, row0, tstarts, tends, slow):
    """Read ``rows`` lines from buf[pos:] (each ends with b'\\n', the file's last one at
    ``stop``) of len(col_of) fields each (ending with b','; the last with the line).
    Field j of line r: its number into X[row0 + r, col_of[j]] when col_of[j] >= 0, else
    its start and end into tstarts/tends[-1 - col_of[j], row0 + r].  An input field off the
    fast path goes into ``slow`` as (flat index into X, start, end), for Python's float().

    Returns (the position after the lines, the number of slow fields), or (-1, 0) when a
    line has another number of fields (or the lines end early)."""
    k = col_of.size
    p = X.shape[1]
    pow10 = _POW10
    n_slow = 0
    for r in range(rows):
        if pos > stop:
            return -1, 0
        row = row0 + r
        for j in range(k):
            s = pos
            while pos < stop and buf[pos] != 44 and buf[pos] != 10:
                pos += 1
            if (pos < stop and buf[pos] == 44) == (j == k - 1):  # a comma ends the line's last field
                return -1, 0
            c = col_of[j]
            if c >= 0:
                ok, v = _number(buf, s, pos, pow10)
                if ok:
                    X[row, c] = v
                else:
                    slow[n_slow, 0] = row * p + c
                    slow[n_slow, 1] = s
                    slow[n_slow, 2] = pos
                    n_slow += 1
            else:
                tstarts[-1 - c, row] = s
                tends[-1 - c, row] = pos
            pos += 1  # past the comma or the newline (past ``stop`` after the file's last field)
    return pos, n_slow


@_jit
def hash_fields(buf, starts, ends, out):
    """out[i] = the 64-bit FNV-1a hash of field i's bytes (labels are then told apart by hash,
    and ``same_fields`` confirms that equal hashes mean equal bytes)."""
    for f in range(starts.size):
        h = np.uint64(14695981039346656037)
        for i in range(starts[f], ends[f]):
            h = (h ^ np.uint64(buf[i])) * np.uint64(1099511628211)
        out[f] = h


@_jit
def same_fields(buf, starts, ends, first, inverse):
    """True when every field i has the same bytes as field first[inverse[i]]."""
    for f in range(starts.size):
        r = first[inverse[f]]
        n = ends[f] - starts[f]
        if ends[r] - starts[r] != n:
            return False
        for j in range(n):
            if buf[starts[f] + j] != buf[starts[r] + j]:
                return False
    return True
