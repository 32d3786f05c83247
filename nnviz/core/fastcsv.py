"""Compiled helpers for reading big plain CSV files (data.py's vectorised path).

``split_fields`` finds every field of a plain CSV body (no quotes) in one pass and
checks that each line has the header's number of fields; ``parse_numbers`` turns
fields into floats.  A number is converted here only when the conversion is
exact by construction: at most 15 significant digits and a power of ten up to
1e22 (Clinger's fast path: one correctly rounded multiplication or division of
two exactly representable numbers), which is what Python's float() gives.  Every
other field (more digits, blanks, underscores, NA, inf) is left for Python's
float() by the caller, so the values are always float()'s.

Without numba (an optional speed-up here) data.py uses NumPy's string-to-float
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
def split_fields(buf, start, seps):
    """Fill seps (lines, k) with the end of every field of the lines in buf[start:] (each
    line ends with b'\\n', fields end with b','); False when a line has another number of
    fields (or there are more or fewer lines than seps has rows)."""
    n, k = seps.shape
    row, col = 0, 0
    for i in range(start, buf.size):
        c = buf[i]
        if c == 44 or c == 10:
            if (c == 10) != (col == k - 1) or row >= n:
                return False
            seps[row, col] = i
            col += 1
            if c == 10:
                row += 1
                col = 0
    return row == n and col == 0


@_jit
def parse_numbers(buf, starts, ends, out):
    """out[i] = the number in buf[starts[i]:ends[i]] where the fast path applies; returns
    the indices of the other fields (for Python's float())."""
    pow10 = _POW10
    slow = np.empty(starts.size, np.int64)
    n_slow = 0
    for f in range(starts.size):
        i, e = starts[f], ends[f]
        neg = False
        if i < e and (buf[i] == 45 or buf[i] == 43):  # - +
            neg = buf[i] == 45
            i += 1
        mant = 0
        digits = 0  # significant digits (leading zeros do not count)
        seen = 0  # digits of any kind in the mantissa
        scale = 0  # power of ten from the decimal point
        ok = True
        point = False
        while i < e:
            c = buf[i]
            if 48 <= c <= 57:
                seen += 1
                if mant or c != 48:
                    digits += 1
                    if digits > 15:
                        ok = False
                        break
                    mant = mant * 10 + (c - 48)
                if point:
                    scale -= 1
            elif c == 46 and not point:  # .
                point = True
            else:
                break
            i += 1
        if ok and i < e and (buf[i] == 101 or buf[i] == 69) and seen:  # e E
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
                ok = False
            scale += -ex if eneg else ex
        if not ok or i != e or seen == 0 or scale > 22 or scale < -22:
            slow[n_slow] = f
            n_slow += 1
            continue
        v = float(mant)
        v = v * pow10[scale] if scale >= 0 else v / pow10[-scale]
        out[f] = -v if neg else v
    return slow[:n_slow]


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
