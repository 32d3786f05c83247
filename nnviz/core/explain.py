"""One number of a step opened into the sum that made it, with the numbers written out.

``explain(trace, names, kind, lw, r, c)`` takes a cell of one of the inspector's matrices in a
``training.StepTrace`` and writes the post's formula for it with the trace's numbers in:

  A      a = 1·b + h1·w1 + h2·w2 + ...               (a row of [1, H] times a column of W)
  H      h = f(a), ŷ for the output layer
  fprime f'(a), from h for sigmoid and tanh
  error  y − ŷ
  delta  δ_y = (y − ŷ) f'(a);  δ_h = (Σ_k δ_k w_jk) f'(a), the bias row of W left out
  gradient, update
         Σ_i h_i δ_i over the batch's rows (= −dC/dw), times lr (the change of W)

plus what a cell of X / [1, H], W, y, the penalty and one observation's share of the update are.
``Explanation.recomputed`` is the cell computed again from the numbers written out (kept at
full precision; the text shows 6 significant digits), so a test can hold the two against each
other.  Indices: ``lw`` is the weight matrix's number (1..L); ``r``, ``c`` are 0-based, ``r`` the
position in the trace's batch for per-observation matrices and the row of W (0 = the bias row)
for weight-shaped ones.  Nothing here draws; the inspector shows the HTML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .notation import DELTA, YHAT, Names

MAX_TERMS = 12  # a longer sum is written with its first 6 and last 2 terms (all in ``full``)
SHOWN_HEAD, SHOWN_TAIL = 6, 2
KINDS = ("input", "W", "A", "H", "fprime", "y", "error", "delta", "gradient", "update", "penalty", "contrib")
SIGN_NOTE = (f"{DELTA} = (y \u2212 {YHAT}) f\u2032(A) points downhill: {DELTA} = \u2212dC/dA, so "
             f"\u03a3 h {DELTA} = \u2212dC/dw and W += lr \u03a3 h {DELTA} lowers C")


@dataclass(frozen=True)
class Explanation:
    """A cell written out (see the module doc)."""

    title: str  # HTML: "A<sub>2</sub>[obs 7, h2.3]"
    formula: str  # HTML: the formula in symbols
    numbers: str  # HTML: the formula with the numbers in (a long sum abbreviated)
    value: float  # the cell, as the trace holds it
    recomputed: float  # computed again from the numbers written out, at full precision
    terms: tuple[tuple[float, float], ...] = ()  # the products of the sum written out
    term_names: tuple[str, ...] = ()  # what each term is (the node or observation it belongs to)
    factor_names: tuple[str, str] = ("", "")  # what the two factors of every term are
    full: str = ""  # ``numbers`` with every term, when some were left out
    note: str = ""  # the sign convention, where it is used
    after: str = ""  # HTML: what is done with the sum ("Σ × f′(a) = ..."), for a table of the terms


def num(v: float) -> str:
    """6 significant digits with a true minus sign."""
    return f"{float(v):.6g}".replace("-", "\u2212")


def par(v: float) -> str:
    """A number after an operator: in parentheses when negative."""
    s = num(v)
    return f"({s})" if s.startswith("\u2212") else s


def _sum_text(terms, head=SHOWN_HEAD, tail=SHOWN_TAIL) -> tuple[str, str]:
    """"a × b + c × d + ..." (abbreviated when long) and the whole text (or "")."""
    parts = [f"{par(a)} \u00d7 {par(b)}" for a, b in terms]
    whole = " + ".join(parts)
    if len(parts) <= MAX_TERMS:
        return whole, ""
    short = " + ".join(parts[:head]) + f" + \u2026 ({len(parts) - head - tail} more) + " + " + ".join(parts[-tail:])
    return short, whole


def _fsum(terms) -> float:
    return math.fsum(a * b for a, b in terms)


def _f(v) -> float:
    return float(v)


class _Cells:
    """The names of one trace's rows and columns."""

    def __init__(self, trace, names: Names):
        self.t, self.n = trace, names

    def obs(self, r: int) -> str:
        return f"obs {int(self.t.rows[r]) + 1}"

    def node(self, layer: int, k: int) -> str:
        return self.n.label(layer, k)

    def in_col(self, lw: int, i: int) -> str:
        """Column i of W_l's input (0 = the column of ones)."""
        return "1" if i == 0 else self.n.label(lw - 1, i - 1)


def explain(trace, names: Names, kind: str, lw: int, r: int, c: int, obs: int | None = None) -> Explanation:
    """The cell (r, c) of matrix ``kind`` of layer l, written out (see the module doc); ``obs``:
    the batch position whose share of the update a "contrib" cell is."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of cell {kind!r} (choose from {', '.join(KINDS)})")
    if not 1 <= lw <= len(trace.layers):
        raise ValueError(f"there is no layer {lw} (the network has {len(trace.layers)} weight matrices)")
    return _KIND[kind](_Cells(trace, names), lw, r, c, obs)


def _input(cx: _Cells, lw: int, r: int, i: int, _obs) -> Explanation:
    n, lt = cx.n, cx.t.layers[lw - 1]
    v = _f(lt.input[r, i])
    title = f"{n.input(lw)}[{cx.obs(r)}, {cx.in_col(lw, i)}]"
    if i == 0:
        text = f"1: the column of ones, which multiplies the bias row of {n.W(lw)}"
    elif lw == 1:
        text = f"{n.node_long(0, i - 1)} of {cx.obs(r)}, standardised as the network sees it: {num(v)}"
    else:
        text = (f"{n.H(lw - 1)}[{cx.obs(r)}, {cx.in_col(lw, i)}] = {num(v)}: the output of "
                f"{n.node_long(lw - 1, i - 1)}, see {n.H(lw - 1)} = f({n.A(lw - 1)})")
    return Explanation(title, f"{n.input_long(lw)}", text, v, v)


def _weight(cx: _Cells, lw: int, i: int, j: int, _obs) -> Explanation:
    n, lt = cx.n, cx.t.layers[lw - 1]
    v = _f(lt.W[i, j])
    title = f"{n.W(lw)}[{cx.in_col(lw, i)}, {cx.node(lw, j)}]"
    what = (f"the bias of {n.node_long(lw, j)}" if i == 0 else
            f"the weight from {n.node_long(lw - 1, i - 1)} to {n.node_long(lw, j)}")
    after = v + _f(lt.update[i, j])
    text = (f"{what} = {num(v)} before this step; the step changes it by {num(lt.update[i, j])} "
            f"to {num(after)}")
    return Explanation(title, f"row {i + 1}, column {j + 1} of {n.W(lw)} (1-based, row 1 the bias row)",
                       text, v, v)


def _a(cx: _Cells, lw: int, r: int, j: int, _obs) -> Explanation:
    n, lt = cx.n, cx.t.layers[lw - 1]
    terms = tuple((_f(lt.input[r, i]), _f(lt.W[i, j])) for i in range(lt.W.shape[0]))
    total = _fsum(terms)
    text, whole = _sum_text(terms)
    title = f"{n.A(lw)}[{cx.obs(r)}, {cx.node(lw, j)}]"
    formula = (f"a = 1 \u00b7 b + \u03a3<sub>i</sub> {'x' if lw == 1 else 'h'}<sub>i</sub> w<sub>i</sub>: the row of "
               f"{n.input(lw)} times the column {cx.node(lw, j)} of {n.W(lw)}")
    end = f" = {num(total)}"
    return Explanation(title, formula, f"a = {text}{end}", _f(lt.A[r, j]), total, terms,
                       tuple(cx.in_col(lw, i) for i in range(len(terms))), (n.input(lw), n.W(lw)),
                       f"a = {whole}{end}" if whole else "", after=f"a = \u03a3 = {num(total)}")


def _sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a)) if a > -700 else 0.0


def _h(cx: _Cells, lw: int, r: int, j: int, _obs) -> Explanation:
    n, lt = cx.n, cx.t.layers[lw - 1]
    a = _f(lt.A[r, j])
    act = lt.activation
    name = n.H(lw)
    title = f"{name}[{cx.obs(r)}, {cx.node(lw, j)}]"
    if act == "sigmoid":
        h = _sigmoid(a)
        text = f"1 / (1 + e<sup>\u2212a</sup>) = 1 / (1 + e<sup>{num(-a)}</sup>) = {num(h)}"
    elif act == "tanh":
        h = math.tanh(a)
        text = f"tanh(a) = tanh({num(a)}) = {num(h)}"
    elif act == "relu":
        h = max(a, 0.0)
        text = f"max(0, a) = max(0, {num(a)}) = {num(h)}"
    elif act == "linear":
        h = a
        text = f"a = {num(a)} (a linear output)"
    else:  # softmax: the whole row of A
        row = [_f(x) for x in lt.A[r]]
        top = max(row)
        es = [math.exp(x - top) for x in row]
        h = es[j] / math.fsum(es)
        parts = " + ".join(f"e<sup>{num(x)}</sup>" for x in row)
        text = f"e<sup>a</sup> / \u03a3<sub>k</sub> e<sup>a<sub>k</sub></sup> = e<sup>{num(a)}</sup> / ({parts}) = {num(h)}"
    where = f"{name} = f({n.A(lw)}), f = {act}" + (" (the output: the network's prediction)" if lw == n.L else "")
    return Explanation(title, where, f"{YHAT if lw == n.L else 'h'} = f(a) = {text}", _f(lt.H[r, j]), h)


def _fprime(cx: _Cells, lw: int, r: int, j: int, _obs) -> Explanation:
    n, t, lt = cx.n, cx.t, cx.t.layers[lw - 1]
    a, h = _f(lt.A[r, j]), _f(lt.H[r, j])
    act = lt.activation
    title = f"f\u2032({n.A(lw)})[{cx.obs(r)}, {cx.node(lw, j)}]"
    if lw == n.L and (t.loss != "sse" or act == "linear"):
        why = ("a linear output" if act == "linear" else f"{t.loss} with a {act} output: the f\u2032 cancels")
        return Explanation(title, f"f\u2032 at the output, {why}", f"1: {n.delta(lw)} = y \u2212 {YHAT} ({why})",
                           _f(lt.fprime[r, j]), 1.0)
    if act == "sigmoid":
        v = h * (1.0 - h)
        text = f"h (1 \u2212 h) = {par(h)} \u00d7 (1 \u2212 {par(h)}) = {num(v)}"
    elif act == "tanh":
        v = 1.0 - h * h
        text = f"1 \u2212 h\u00b2 = 1 \u2212 {par(h)}\u00b2 = {num(v)}"
    elif act == "relu":
        v = 1.0 if a > 0 else 0.0
        text = f"1 when a > 0, else 0: a = {num(a)}, so {num(v)}"
    else:
        v = 1.0
        text = "1"
    return Explanation(title, f"the slope of f = {act} at a", f"f\u2032(a) = {text}", _f(lt.fprime[r, j]), v)


def _y(cx: _Cells, lw: int, r: int, j: int, _obs) -> Explanation:
    v = _f(cx.t.Y[r, j])
    return Explanation(f"y[{cx.obs(r)}, {cx.node(cx.n.L, j)}]", "the target",
                       f"the target of {cx.obs(r)} for {cx.n.node_long(cx.n.L, j)}: {num(v)}", v, v)


def _error(cx: _Cells, lw: int, r: int, j: int, _obs) -> Explanation:
    t = cx.t
    y, yh = _f(t.Y[r, j]), _f(t.Yhat[r, j])
    return Explanation(f"(y \u2212 {YHAT})[{cx.obs(r)}, {cx.node(cx.n.L, j)}]", "the target minus the prediction",
                       f"y \u2212 {YHAT} = {num(y)} \u2212 {par(yh)} = {num(y - yh)}", _f(t.error[r, j]), y - yh)


def _delta(cx: _Cells, lw: int, r: int, j: int, _obs) -> Explanation:
    n, t, lt = cx.n, cx.t, cx.t.layers[lw - 1]
    title = f"{n.delta(lw)}[{cx.obs(r)}, {cx.node(lw, j)}]"
    if lw == n.L:
        e, fp = _f(t.error[r, j]), _f(lt.fprime[r, j])
        if t.loss == "sse" and lt.activation != "linear":
            v = e * fp
            return Explanation(title, f"{n.delta(lw)} = (y \u2212 {YHAT}) \u00b7 f\u2032({n.A(lw)})",
                               f"(y \u2212 {YHAT}) \u00d7 f\u2032(a) = {par(e)} \u00d7 {par(fp)} = {num(v)}",
                               _f(lt.delta[r, j]), v, note=SIGN_NOTE)
        return Explanation(title, f"{n.delta(lw)} = y \u2212 {YHAT} (f\u2032 cancels or is 1 here)",
                           f"y \u2212 {YHAT} = {num(e)}", _f(lt.delta[r, j]), e, note=SIGN_NOTE)
    nxt = t.layers[lw]
    terms = tuple((_f(nxt.delta[r, k]), _f(nxt.W[j + 1, k])) for k in range(nxt.W.shape[1]))
    s = _fsum(terms)
    fp = _f(lt.fprime[r, j])
    v = s * fp
    text, whole = _sum_text(terms)
    formula = (f"{n.delta(lw)} = ({n.delta(lw + 1)} {n.W(lw + 1)}<sup>T</sup>, without the bias row) \u00b7 "
               f"f\u2032({n.A(lw)}): \u03a3<sub>k</sub> {DELTA}<sub>k</sub> w<sub>{cx.node(lw, j)},k</sub>, "
               f"then times f\u2032(a)")
    end = f") \u00d7 {par(fp)} = {num(s)} \u00d7 {par(fp)} = {num(v)}"
    return Explanation(title, formula, f"({text}{end}", _f(lt.delta[r, j]), v, terms,
                       tuple(cx.node(lw + 1, k) for k in range(len(terms))), (n.delta(lw + 1), n.W(lw + 1)),
                       f"({whole}{end}" if whole else "", SIGN_NOTE,
                       f"{n.delta(lw)} = \u03a3 \u00d7 f\u2032(a) = {num(s)} \u00d7 {par(fp)} = {num(v)}")


def _gradient_terms(cx: _Cells, lw: int, i: int, j: int):
    lt = cx.t.layers[lw - 1]
    return tuple((_f(lt.input[k, i]), _f(lt.delta[k, j])) for k in range(lt.input.shape[0]))


def _gradient(cx: _Cells, lw: int, i: int, j: int, _obs) -> Explanation:
    n, lt = cx.n, cx.t.layers[lw - 1]
    terms = _gradient_terms(cx, lw, i, j)
    g = _fsum(terms)
    text, whole = _sum_text(terms)
    title = f"({n.input(lw)}<sup>T</sup> {n.delta(lw)})[{cx.in_col(lw, i)}, {cx.node(lw, j)}]"
    formula = (f"\u03a3<sub>i</sub> {cx.in_col(lw, i)}<sub>i</sub> \u00b7 {n.delta(lw)}<sub>i</sub> over the "
               f"{len(terms)} rows of the batch = \u2212dC/dw")
    end = f" = {num(g)}   (dC/dw = {num(-g)})"
    return Explanation(title, formula, f"{text}{end}", _f(lt.gradient[i, j]), g, terms,
                       tuple(cx.obs(k) for k in range(len(terms))), (cx.in_col(lw, i), n.delta(lw)),
                       f"{whole}{end}" if whole else "", SIGN_NOTE,
                       f"\u03a3 = {num(g)} = \u2212dC/dw, so dC/dw = {num(-g)}")


def _update(cx: _Cells, lw: int, i: int, j: int, _obs) -> Explanation:
    n, t, lt = cx.n, cx.t, cx.t.layers[lw - 1]
    terms = _gradient_terms(cx, lw, i, j)
    g = _fsum(terms)
    text, whole = _sum_text(terms)
    title = f"\u0394{n.W(lw)}[{cx.in_col(lw, i)}, {cx.node(lw, j)}]"
    value = _f(lt.update[i, j])
    names = tuple(cx.obs(k) for k in range(len(terms)))
    factors = (cx.in_col(lw, i), n.delta(lw))
    if t.algorithm != "gd":
        text = (f"{t.algorithm}: the weight moves by its own step size against the sign of dC/dw = "
                f"{num(-g)}: \u0394w = {num(value)}")
        return Explanation(title, f"{t.algorithm} uses only the sign of \u03a3 h {DELTA} = \u2212dC/dw", text,
                           value, value, terms, names, factors, note=SIGN_NOTE)
    pen = 0.0 if lt.penalty is None else _f(lt.penalty[i, j])
    if lt.penalty is not None and i > 0:
        w = _f(lt.W[i, j])
        inner = f"\u03a3 \u2212 l2 w \u2212 l1 sign(w) = {num(g)} \u2212 {par(t.l2)} \u00d7 {par(w)} \u2212 {par(t.l1)} \u00d7 {num(np.sign(w))}"
        formula = f"\u0394w = lr \u00b7 (\u03a3<sub>i</sub> h<sub>i</sub> {DELTA}<sub>i</sub> \u2212 l2 w \u2212 l1 sign w)"
        step = t.lr * (g + pen)
        end = f"<br>\u0394w = lr \u00d7 ({inner}) = {par(t.lr)} \u00d7 {par(g + pen)} = {num(step)}"
    else:
        formula = (f"\u0394w = lr \u00b7 \u03a3<sub>i</sub> {cx.in_col(lw, i)}<sub>i</sub> {n.delta(lw)}<sub>i</sub> "
                   f"(the {len(terms)} rows of the batch)")
        step = t.lr * g
        end = f"<br>\u0394w = lr \u00d7 \u03a3 = {par(t.lr)} \u00d7 {par(g)} = {num(step)}"
    if not math.isclose(step, value, rel_tol=1e-9, abs_tol=1e-15):
        end += f"<br>with momentum the change was {num(value)} (it adds momentum \u00d7 the previous change)"
    head = "\u03a3 = "
    return Explanation(title, formula, head + text + end, value, step, terms, names, factors,
                       head + whole + end if whole else "", SIGN_NOTE, end.removeprefix("<br>"))


def _penalty(cx: _Cells, lw: int, i: int, j: int, _obs) -> Explanation:
    n, t, lt = cx.n, cx.t, cx.t.layers[lw - 1]
    v = 0.0 if lt.penalty is None else _f(lt.penalty[i, j])
    title = f"penalty of {n.W(lw)}[{cx.in_col(lw, i)}, {cx.node(lw, j)}]"
    if i == 0:
        return Explanation(title, "the bias row is not penalised", "0", v, 0.0)
    w = _f(lt.W[i, j])
    p = -(t.l2 * w + t.l1 * float(np.sign(w)))
    return Explanation(title, "\u2212(l2 w + l1 sign w)",
                       f"\u2212({par(t.l2)} \u00d7 {par(w)} + {par(t.l1)} \u00d7 {num(np.sign(w))}) = {num(p)}", v, p)


def _contrib(cx: _Cells, lw: int, i: int, j: int, obs: int | None) -> Explanation:
    n, t, lt = cx.n, cx.t, cx.t.layers[lw - 1]
    k = 0 if obs is None else obs
    h, d = _f(lt.input[k, i]), _f(lt.delta[k, j])
    v = t.lr * h * d
    title = f"{cx.obs(k)}'s share of \u0394{n.W(lw)}[{cx.in_col(lw, i)}, {cx.node(lw, j)}]"
    text = f"lr \u00d7 h \u00d7 {DELTA} = {par(t.lr)} \u00d7 {par(h)} \u00d7 {par(d)} = {num(v)}"
    return Explanation(title, f"one term of \u0394w = lr \u03a3<sub>i</sub> h<sub>i</sub> {DELTA}<sub>i</sub>: "
                       f"this observation's", text, v, v, note=SIGN_NOTE)


_KIND = {"input": _input, "W": _weight, "A": _a, "H": _h, "fprime": _fprime, "y": _y, "error": _error,
         "delta": _delta, "gradient": _gradient, "update": _update, "penalty": _penalty, "contrib": _contrib}
