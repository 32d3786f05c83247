"""What the inspector shows at each stage of a step: its equation and its matrices (panels).

No Qt here, so a stage can be checked with a trace and no window.  A stage is (kind, lw): kind
"forward", "error", "delta" or "update", lw the weight matrix's number (1..L; "error" is at L).
With ``obs`` (a position in the trace's batch) the matrices of observations are that
observation's row, shown as a column beside the rows of the matrix it multiplies; with None,
the whole batch.

Each panel names its two axes: "obs" (the batch's rows), "in<lw>" (the rows of W_lw: the bias
and layer lw - 1's nodes) and "n<lw>" (layer lw's nodes).  A selected cell binds its two axes;
in every panel of the stage, the cells with the same values on the bound axes are the ones
that made the selected number or were made from it (``related``): a cell of A2 = H̄1 W2 binds
(obs, n2), which lights its row of H̄1 and its column of W2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ...core.explain import SIGN_NOTE
from ...core.notation import DELTA, YHAT, Names
from ...core.notation import plain as _plain

STAGE_KINDS = ("forward", "error", "delta", "update")


@dataclass(frozen=True)
class Panel:
    """One matrix of a stage (logical: rows and columns as the maths has them)."""

    role: str  # "input", "W", "A", "H", "y", "error", "fprime", "delta", "delta_next", "W_next_T",
    # "gradient", "penalty", "update", "contrib", "W_after"
    title: str  # HTML
    M: np.ndarray
    rows: list[str]
    cols: list[str]
    axes: tuple[str, str]
    op: str = ""  # what stands before it: "\u00d7", "=", "\u2192 f \u2192"
    column: bool = False  # one observation's vector, shown as a column
    row_tips: list[str] = field(default_factory=list)
    col_tips: list[str] = field(default_factory=list)
    # (i, j) -> (kind, l, r, c) for explain.explain, None: the panel's cells are not explained
    cell: Callable[[int, int], tuple[str, int, int, int]] | None = None


def stages(L: int) -> list[tuple[str, int]]:
    """The stages of one step in the post's order: forward through W1..WL, the error, the deltas
    going back, the updates (W_L first, as the deltas come)."""
    out = [("forward", lw) for lw in range(1, L + 1)]
    out.append(("error", L))
    out += [("delta", lw) for lw in range(L, 0, -1)]
    out += [("update", lw) for lw in range(L, 0, -1)]
    return out


def stage_button(stage: tuple[str, int], names: Names) -> tuple[str, str]:
    """(plain label, tooltip) of a stage's button."""
    kind, lw = stage
    L = names.L
    if kind == "forward":
        src = "X" if lw == 1 else _plain(names.H(lw - 1))
        dst = _plain(names.H(lw))
        return f"{src} \u2192 {dst}", f"forward: A{lw} = {_plain(names.input(lw))} W{lw}, {dst} = f(A{lw})"
    if kind == "error":
        return "error", f"y \u2212 {YHAT} and C = \u00bd \u03a3 (y \u2212 {YHAT})\u00b2"
    if kind == "delta":
        d = _plain(names.delta(lw)).replace(DELTA, DELTA + "_")
        return d, f"the delta of {'the output' if lw == L else f'hidden layer {lw}'}: {_plain(names.delta(lw))}"
    return f"\u0394W{lw}", f"the update of W{lw}: W{lw} += lr {_plain(names.input(lw))}\u1d40 {_plain(names.delta(lw))}"


def micro_stage(stage: str | None, previous: tuple[str, int] | None, L: int) -> tuple[str, int] | None:
    """The inspector's stage for a runner micro-step ("forward 2", "error", "delta 3", "update");
    "update" goes to the layer of the delta shown before it (W1 after delta 1)."""
    if not stage:
        return None
    kind, _, num = stage.partition(" ")
    if kind == "update":
        return ("update", previous[1] if previous and previous[0] in ("delta", "update") else 1)
    if kind == "error":
        return ("error", L)
    return (kind, int(num))


PLACEHOLDER = "Press <b>Step</b> or <b>Micro-step</b> (or pause training) to see the matrices of a step."


def head_text(t, what: str, shown: int | None, micro: str, stage: str | None, preview: bool) -> str:
    """The inspector's head line for the step of trace ``t`` shown as ``what`` ("last", "next" or
    "micro": the micro-step ``stage``, named ``micro``) at iteration ``shown``; ``preview``: a look back."""
    it = shown if shown is not None else t.iteration - 1
    step = f"{t.iteration - 1:,} \u2192 {t.iteration:,}"
    if what == "micro":
        return (f"<b>iteration {it:,}</b>: micro-step <b style='color:#b35806'>{micro}</b> ({stage}) of the step "
                f"{step} (Micro-step goes on; the weights change at the update)")
    if what == "next":
        return (f"<b>iteration {it:,}</b>: <b style='color:#1b7837'>the next step</b>, {step}: what "
                "<b>Step</b> will do, computed from the current weights on a copy (nothing changes until "
                "you press it)")
    return (f"<b>iteration {it:,}</b>: the step that led here, {step}"
            + (" (a look back in the history)" if preview else "")
            + "; its forward pass used the weights before that step")


def nothing_text(snap) -> str:
    """The head line when the snapshot carries no step to show: why."""
    it = f"<b>iteration {snap.iteration:,}</b>"
    if snap.state in ("running", "stepping") and not snap.preview:
        return f"{it}: training\u2026 pause or step to inspect a step"
    if getattr(snap, "trace_pending", False):
        return f"{it}: computing its matrices\u2026"
    return f"{it}: the next step's matrices are not computed ahead for a network this big. " + PLACEHOLDER


def related(panels: list[Panel], source: int, i: int, j: int) -> list[tuple[set[int] | None, set[int] | None]]:
    """For each panel, the rows and columns (None: any) of the cells related to cell (i, j) of
    panel ``source`` (see the module doc); (None, None): no cell of that panel."""
    p = panels[source]
    bound = {p.axes[0]: i, p.axes[1]: j}
    out = []
    for q in panels:
        rows = {bound[q.axes[0]]} if q.axes[0] in bound else None
        cols = {bound[q.axes[1]]} if q.axes[1] in bound else None
        out.append((rows, cols))
    return out


class _Builder:
    def __init__(self, trace, names: Names, obs: int | None, schedule: str = "constant"):
        self.t, self.n, self.obs, self.schedule = trace, names, obs, schedule
        rows = np.asarray(trace.rows)
        self.obs_names = [f"obs {int(r) + 1}" for r in rows]

    # -- axes ---------------------------------------------------------------------
    def per_obs(self, M: np.ndarray) -> tuple[np.ndarray, list[str]]:
        if self.obs is None:
            return M, self.obs_names
        return M[self.obs:self.obs + 1], [self.obs_names[self.obs]]

    def pos(self, i: int) -> int:
        """The batch position of logical row i of a per-observation panel."""
        return i if self.obs is None else self.obs

    def units(self, layer: int) -> tuple[list[str], list[str]]:
        n = self.n
        k = n.sizes[layer]
        return [n.label(layer, q) for q in range(k)], [n.node_long(layer, q) for q in range(k)]

    def ins(self, lw: int) -> tuple[list[str], list[str]]:
        labels, tips = self.units(lw - 1)
        return ["1"] + labels, ["1: the column of ones, for the bias row of W"] + tips

    def obs_panel(self, role, title, M, lw, cols, tips, axis, kind, op="") -> Panel:
        Mo, rows = self.per_obs(M)
        return Panel(role, title, Mo, rows, cols, ("obs", axis), op, self.obs is not None, rows, tips,
                     None if kind is None else (lambda i, j: (kind, lw, self.pos(i), j)))

    def w_panel(self, role, title, M, lw, kind, op="") -> Panel:
        rows, rtips = self.ins(lw)
        cols, ctips = self.units(lw)
        return Panel(role, title, M, rows, cols, (f"in{lw}", f"n{lw}"), op, False, rtips, ctips,
                     None if kind is None else (lambda i, j: (kind, lw, i, j)))

    # -- stages -------------------------------------------------------------------------
    def forward(self, lw: int) -> tuple[str, list[Panel]]:
        n, lt = self.n, self.t.layers[lw - 1]
        ins, itips = self.ins(lw)
        outs, otips = self.units(lw)
        act = lt.activation
        last = lw == n.L
        H = n.with_app(n.H(lw), n.H_app(lw))
        eq = (f"forward: {n.A(lw)} = {n.input(lw)} {n.W(lw)}, then {n.H(lw)} = f({n.A(lw)}), f = {act}:  "
              f"a = 1\u00b7b + \u03a3 {'x' if lw == 1 else 'h'}\u00b7w, the bias first"
              + (f";  {YHAT} is the network's prediction" if last else ""))
        panels = [
            self.obs_panel("input", n.with_app(n.input_long(lw), n.input_app(lw)), lt.input, lw, ins, itips,
                           f"in{lw}", "input"),
            self.w_panel("W", n.W(lw), lt.W, lw, "W", "\u00d7"),
            self.obs_panel("A", f"{n.A(lw)} = {n.input(lw)} {n.W(lw)}", lt.A, lw, outs, otips, f"n{lw}", "A", "="),
            self.obs_panel("H", f"{H} = f({n.A(lw)})", lt.H, lw, outs, otips, f"n{lw}", "H", "\u2192 f \u2192"),
        ]
        return eq, panels

    def error(self) -> tuple[str, list[Panel]]:
        n, t, L = self.n, self.t, self.n.L
        outs, otips = self.units(L)
        if t.loss == "sse":
            eq = (f"error: y \u2212 {YHAT};  C = \u00bd \u03a3 (y \u2212 {YHAT})\u00b2 = {t.cost:.6g} over the "
                  f"{len(t.rows)} rows of the batch;  mse = mean((y \u2212 {YHAT})\u00b2) = {t.mse:.6g}")
        else:
            eq = f"error: y \u2212 {YHAT};  cross-entropy C = {t.cost:.6g};  mse = {t.mse:.6g}"
        yhat = n.with_app(YHAT, n.H_app(L))
        panels = [
            self.obs_panel("y", "y (the targets)", t.Y, L, outs, otips, f"n{L}", "y"),
            self.obs_panel("H", f"{yhat} = f({n.A(L)})", t.Yhat, L, outs, otips, f"n{L}", "H", "\u2212"),
            self.obs_panel("error", f"y \u2212 {YHAT}", t.error, L, outs, otips, f"n{L}", "error", "="),
        ]
        return eq, panels

    def delta(self, lw: int) -> tuple[str, list[Panel]]:
        n, t, lt = self.n, self.t, self.t.layers[lw - 1]
        outs, otips = self.units(lw)
        d = n.with_app(n.delta(lw), n.delta_app(lw))
        if lw == n.L:
            if t.loss == "sse" and lt.activation != "linear":
                eq = f"output delta: {n.delta(lw)} = (y \u2212 {YHAT}) \u00b7 f\u2032({n.A(lw)}), elementwise"
            else:
                eq = (f"output delta: {n.delta(lw)} = y \u2212 {YHAT} (the f\u2032 cancels with {t.loss} and a "
                      f"{lt.activation} output)")
            eq += f".  Sign: {SIGN_NOTE}"
            panels = [
                self.obs_panel("error", f"y \u2212 {YHAT}", t.error, lw, outs, otips, f"n{lw}", "error"),
                self.obs_panel("fprime", f"f\u2032({n.A(lw)})", lt.fprime, lw, outs, otips, f"n{lw}", "fprime",
                               "\u00d7"),
                self.obs_panel("delta", d, lt.delta, lw, outs, otips, f"n{lw}", "delta", "="),
            ]
            return eq, panels
        nxt = t.layers[lw]
        nouts, notips = self.units(lw + 1)
        eq = (f"hidden delta: {n.delta(lw)} = ({n.delta(lw + 1)} {n.W(lw + 1)}<sup>T</sup>, the bias row of "
              f"{n.W(lw + 1)} left out) \u00b7 f\u2032({n.A(lw)}): each node's share of the deltas it fed, "
              f"times its own slope")
        WT = nxt.W[1:].T
        panels = [
            self.obs_panel("delta_next", n.with_app(n.delta(lw + 1), n.delta_app(lw + 1)), nxt.delta, lw + 1, nouts,
                           notips, f"n{lw + 1}", "delta"),
            Panel("W_next_T", f"{n.W(lw + 1)}<sup>T</sup> without the bias row", WT, nouts, outs,
                  (f"n{lw + 1}", f"n{lw}"), "\u00d7", False, notips, otips,
                  lambda i, j: ("W", lw + 1, j + 1, i)),
            self.obs_panel("fprime", f"f\u2032({n.A(lw)})", lt.fprime, lw, outs, otips, f"n{lw}", "fprime", "\u00d7"),
            self.obs_panel("delta", d, lt.delta, lw, outs, otips, f"n{lw}", "delta", "="),
        ]
        return eq, panels

    def update(self, lw: int) -> tuple[str, list[Panel]]:
        n, t, lt = self.n, self.t, self.t.layers[lw - 1]
        ins, itips = self.ins(lw)
        outs, otips = self.units(lw)
        eq = update_equation(t, n, lw, self.schedule) + f".  Sign: {SIGN_NOTE}"
        d = n.with_app(n.delta(lw), n.delta_app(lw))
        panels = [
            self.obs_panel("input", n.with_app(n.input_long(lw), n.input_app(lw)), lt.input, lw, ins, itips,
                           f"in{lw}", "input"),
            self.obs_panel("delta", d, lt.delta, lw, outs, otips, f"n{lw}", "delta",
                           "\u00d7" if self.obs is not None else "\u1d40 \u00d7"),
        ]
        if self.obs is not None:
            share = t.lr * np.outer(lt.input[self.obs], lt.delta[self.obs])
            o = self.obs
            panels.append(Panel("contrib", f"{self.obs_names[o]}'s share: lr \u00b7 h {DELTA} (each h times each "
                                f"{DELTA})", share, ins, outs,
                                (f"in{lw}", f"n{lw}"), "\u2192", False, itips, otips,
                                lambda i, j: ("contrib", lw, i, j)))
        else:
            panels.append(self.w_panel("gradient", f"\u03a3 h {DELTA} = {n.input(lw)}<sup>T</sup> {n.delta(lw)} "
                                       "(= \u2212dC/dW)", lt.gradient, lw, "gradient", "="))
        if lt.penalty is not None:
            panels.append(self.w_panel("penalty", "\u2212(l2 W + l1 sign W), bias row 0", lt.penalty, lw,
                                       "penalty", "+"))
        total = "sum of every row's share" if self.obs is not None else "lr \u00d7 (\u03a3 h \u03b4)"
        panels += [
            self.w_panel("W", f"{n.W(lw)} before", lt.W, lw, "W", "\u2003"),
            self.w_panel("update", f"\u0394{n.W(lw)} ({total})", lt.update, lw, "update", "+"),
            self.w_panel("W_after", f"{n.W(lw)} after = {n.W(lw)} + \u0394{n.W(lw)}", lt.W + lt.update, lw, None, "="),
        ]
        return eq, panels


def build(trace, names: Names, stage: tuple[str, int], obs: int | None, schedule: str = "constant"
          ) -> tuple[str, list[Panel]]:
    """The equation (HTML) and the panels of ``stage`` for one observation (batch position) or the batch."""
    b = _Builder(trace, names, obs, schedule)
    kind, lw = stage
    if kind == "forward":
        return b.forward(lw)
    if kind == "error":
        return b.error()
    if kind == "delta":
        return b.delta(lw)
    return b.update(lw)


def update_equation(t, names: Names, lw: int, schedule: str = "constant") -> str:
    """The update line: the post's update, with the penalty term and its rates when l1 / l2 are
    set, and the learning rate this iteration used (the schedule's)."""
    W, inp, d = names.W(lw), f"{names.input(lw)}<sup>T</sup>", names.delta(lw)
    pen_terms = [f"{t.l2:g} \u00b7 {W}" if t.l2 else "", f"{t.l1:g} \u00b7 sign({W})" if t.l1 else ""]
    pen = " \u2212 ".join(p for p in pen_terms if p)
    if t.algorithm == "gd":
        rate = f"lr = {t.lr:.6g}"
        if schedule != "constant":
            rate += f" ({schedule} after {t.iteration - 1:,} iterations)"
        if pen:
            return (f"update: {W} \u2190 {W} + lr \u00b7 ({inp} {d} \u2212 {pen}), {rate}; l2 = {t.l2:g}, "
                    f"l1 = {t.l1:g}, the bias row not penalised (momentum adds the previous change, if set)")
        return f"update: {W} \u2190 {W} + lr \u00b7 {inp} {d}, {rate} (momentum adds the previous change, if set)"
    if pen:
        return (f"update ({t.algorithm}): each weight moves by its own step size against the sign of "
                f"dJ/dw = \u2212({inp} {d} \u2212 {pen}); the bias row not penalised")
    return (f"update ({t.algorithm}): each weight moves by its own step size against the sign of "
            f"dC/dw = \u2212{inp} {d}")
