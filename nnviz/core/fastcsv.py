"""Compiled helpers for reading big plain CSV files (csv_plain.py's vectorised path).

``read_block`` reads a run of lines of a plain CSV body in one pass (quoted fields only as
R's write.csv writes them: "text", no quote or line break inside): it checks that each line
has the header's number of fields, writes the input columns' numbers
straight into the data matrix and keeps where the target columns' fields are;
``parse_numbers`` turns such fields into floats.  A number is converted here only when
the conversion is exact by construction, so that the values are always Python's float()'s:

* at most 15 significant digits and a power of ten up to 1e22: Clinger's fast path (one
  correctly rounded multiplication or division of two exactly representable numbers);
* otherwise up to 19 significant digits, a power of ten from 1e-342 to 1e308 and a normal
  result: the Eisel-Lemire algorithm (Lemire, "Number parsing at a gigabyte per second",
  2021, as in the fast_float library): the digits times a 128-bit truncation of 5^q, which
  decides the correctly rounded double or says it cannot (then float() does).  Python's
  repr of a float and pandas' CSV files have up to 17 digits.

Every other field (more digits, blanks, underscores, NA, inf, subnormals) is left for
Python's float() by the caller.

Without numba (an optional speed-up here) csv_reader.py uses NumPy's string-to-float
cast instead: the same values, slower.
"""

from __future__ import annotations

import math

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None  # type: ignore[assignment]

AVAILABLE = numba is not None
_POW10 = np.array([10.0 ** i for i in range(23)])  # exactly representable: 1 ... 1e22


def _powers_of_five() -> np.ndarray:
    """fast_float's table (its script/table_generation.py): for q from -342 to 308, the 128
    most significant bits of 5^q as (high, low) words, truncated; for q < 0 those of 2^b / 5^-q,
    rounded up."""
    out = []
    for q in range(-342, 0):
        p5 = 5 ** -q
        z = p5.bit_length()  # the least z with 2^z >= 5^-q (5^-q is no power of 2)
        c = 2 ** (z + 127 if q >= -27 else 2 * z + 128) // p5 + 1
        while c >= 1 << 128:
            c //= 2
        out.append(c)
    for q in range(309):
        p5 = 5 ** q
        while p5 < 1 << 127:
            p5 *= 2
        while p5 >= 1 << 128:
            p5 //= 2
        out.append(p5)
    return np.array([w for c in out for w in (c >> 64, c & (2**64 - 1))], dtype=np.uint64)


_POW5 = _powers_of_five()
_U1, _U3, _U9, _U32 = np.uint64(1), np.uint64(3), np.uint64(9), np.uint64(32)
_M32 = np.uint64(0xFFFFFFFF)
_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)
_MASK55 = np.uint64(0x1FF)  # the bits below the 55 the product must get right (52 + 3)
_HIDDEN = np.uint64(1 << 52)
_U10 = np.uint64(10)


def _jit(fn):
    return numba.njit(nogil=True, cache=True)(fn) if numba is not None else fn


@_jit
def _mul128(a, b):
    """(high, low) 64-bit words of the 128-bit product of two uint64."""
    a_lo, a_hi = a & _M32, a >> _U32
    b_lo, b_hi = b & _M32, b >> _U32
    p0, p1, p2, p3 = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    mid = (p0 >> _U32) + (p1 & _M32) + (p2 & _M32)
    return p3 + (p1 >> _U32) + (p2 >> _U32) + (mid >> _U32), (mid << _U32) | (p0 & _M32)


@_jit
def _eisel_lemire(w, q):
    """(True, w * 10^q correctly rounded) for a uint64 w > 0 (19 digits at most), or (False, 0.0)
    when the result is not a normal double or the product cannot decide the rounding."""
    if q < -342 or q > 308:
        return False, 0.0
    lz = 0  # leading zeros of w, then w shifted to have none
    if w >> _U32 == 0:
        w <<= _U32
        lz += 32
    for bits in (16, 8, 4, 2, 1):
        if w >> np.uint64(64 - bits) == 0:
            w <<= np.uint64(bits)
            lz += bits
    index = 2 * (q + 342)
    hi, lo = _mul128(w, _POW5[index])
    if hi & _MASK55 == _MASK55:  # the low word of 5^q may carry into the bits that count
        hi2, _ = _mul128(w, _POW5[index + 1])
        lo += hi2
        if hi2 > lo:
            hi += _U1
    if lo == _ONES and (q < -27 or q > 55):  # the truncation may hide a carry: undecided
        return False, 0.0
    upper = hi >> np.uint64(63)
    shift = upper + _U9
    mantissa = hi >> shift
    power2 = ((217706 * q) >> 16) + 63 + np.int64(upper) - lz + 1023
    if power2 <= 0:  # subnormal (or zero)
        return False, 0.0
    if lo <= _U1 and -4 <= q <= 23 and mantissa & _U3 == _U1 and (mantissa << shift) == hi:
        mantissa &= ~_U1  # exactly halfway between two doubles: round to even, down here
    mantissa += mantissa & _U1
    mantissa >>= _U1
    if mantissa >= _HIDDEN << _U1:
        mantissa = _HIDDEN
        power2 += 1
    if power2 >= 0x7FF:  # infinite
        return False, 0.0
    return True, math.ldexp(float(mantissa), int(power2) - 1075)


@_jit
def _number(buf, i, e, pow10):
    """(True, the number in buf[i:e]) where a fast path applies, else (False, 0.0)."""
    neg = False
    if i < e and (buf[i] == 45 or buf[i] == 43):  # - +
        neg = buf[i] == 45
        i += 1
    mant = np.uint64(0)
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
                if digits > 19:
                    return False, 0.0
                mant = mant * _U10 + np.uint64(c - 48)
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
    if i != e or seen == 0:
        return False, 0.0
    if mant == 0:
        v = 0.0
    elif digits <= 15 and -22 <= scale <= 22:
        v = float(mant)
        v = v * pow10[scale] if scale >= 0 else v / pow10[-scale]
    else:
        ok, v = _eisel_lemire(mant, scale)
        if not ok:
            return False, 0.0
    return True, -v if neg else v


@_jit
def parse_numbers(buf, starts, ends, out):
    """out[i] = the number in buf[starts[i]:ends[i]] where a fast path applies; returns the
    indices of the other fields (for Python's float())."""
    pow10 = _POW10
    slow = np.empty(starts.size, np.int64)
    n_slow = 0
    for f in range(starts.size):
        ok, v = _number(buf, starts[f], ends[f], pow10)
        if ok:
            out[f] = v
        else:
            slow[n_slow] = f
            n_slow += 1
    return slow[:n_slow]


@_jit
def read_block(buf, pos, stop, rows, col_of, X, row0, tstarts, tends, slow, quotes):
    """Read ``rows`` lines from buf[pos:] (each ends with b'\\n', the file's last one at
    ``stop``) of len(col_of) fields each (ending with b','; the last with the line); with
    ``quotes``, a field may be b'"text"' (text without a quote or newline: its field is the
    text), and no other field may hold a quote.
    Field j of line r: its number into X[row0 + r, col_of[j]] when col_of[j] >= 0, else
    its start and end into tstarts/tends[-1 - col_of[j], row0 + r].  An input field off the
    fast paths goes into the columns of ``slow`` (3, m) as (flat index into X, start, end), for
    Python's float().

    Returns (the position after the lines, the number of slow fields), or (-1, 0) when a
    line has another number of fields (or the lines end early) or another kind of quote."""
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
            if quotes and pos < stop and buf[pos] == 34:  # "text"
                pos += 1
                s = pos
                while pos < stop and buf[pos] != 34:
                    if buf[pos] == 10:
                        return -1, 0
                    pos += 1
                if pos >= stop:
                    return -1, 0
                e = pos
                pos += 1
                if pos < stop and buf[pos] != 44 and buf[pos] != 10:  # "text"more
                    return -1, 0
            else:
                while pos < stop and buf[pos] != 44 and buf[pos] != 10:
                    if quotes and buf[pos] == 34:
                        return -1, 0
                    pos += 1
                e = pos
            if (pos < stop and buf[pos] == 44) == (j == k - 1):  # a comma ends the line's last field
                return -1, 0
            c = col_of[j]
            if c >= 0:
                ok, v = _number(buf, s, e, pow10)
                if ok:
                    X[row, c] = v
                else:
                    slow[0, n_slow] = row * p + c
                    slow[1, n_slow] = s
                    slow[2, n_slow] = e
                    n_slow += 1
            else:
                tstarts[-1 - c, row] = s
                tends[-1 - c, row] = e
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
