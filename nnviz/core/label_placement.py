"""Where the weight labels go: each on its own edge, clear of nodes, names and one another.

``place_labels`` is pure geometry (segments, boxes, circles in any unit): the figures place
their labels with it in CSS pixels, the window's live diagram in screen pixels.  Above
``MAX_LABELS`` edges only the strongest are labelled.  Left out: drawing the labels.
"""

from __future__ import annotations

import numpy as np

MAX_LABELS = 150  # above this many edges only the strongest are labelled


def overlaps(a, b, gap: float = 0.0) -> bool:
    """Do boxes (x, y, w, h) a and b overlap (with ``gap`` of clearance)?"""
    return a[0] < b[0] + b[2] + gap and b[0] < a[0] + a[2] + gap and a[1] < b[1] + b[3] + gap and b[1] < a[1] + a[3] + gap


_FALLBACK = tuple(np.round(np.arange(0.9, 0.12, -0.03), 2).tolist())


def place_labels(seg: np.ndarray, values: np.ndarray, rows: np.ndarray, widths, height: float, circles,
                 obstacles, frame, max_labels: int = MAX_LABELS) -> tuple[list[tuple], list[str]]:
    """Where each edge's label goes, strongest ``values`` first: the first spot along the edge
    (near its target, staggered by ``rows``, the source's row) whose box (``widths[k]`` x
    ``height``) lies inside ``frame`` (x, y, w, h) and clears every circle (x, y, r), every
    obstacle box and the boxes placed before it.  ``seg``: (n, 4) source x, y, target x, y.
    Returns [(edge, centre x, centre y, box)] and the notes to show (labels left out).  The
    figures and the window's live diagram both place their labels with it."""
    order = np.argsort(-np.abs(np.asarray(values, dtype=float)), kind="stable")
    notes = []
    if len(order) > max_labels:
        order = order[:max_labels]
        notes.append(f"only the {max_labels} strongest of {len(values)} edges labelled")
    C = np.asarray(circles, dtype=float).reshape(-1, 3)
    B = np.empty((len(obstacles) + len(order), 4))
    B[:len(obstacles)] = np.asarray(obstacles, dtype=float).reshape(-1, 4)
    n = len(obstacles)
    fx, fy, fw, fh = frame
    spots, missing = [], 0
    fallback = np.array(_FALLBACK)
    for k in order.tolist():  # every spot along the edge checked at once; the first clear one wins
        xa, ya, xb, yb = seg[k]
        bw, bh = float(widths[k]), height
        stagger = (int(rows[k]) % 4) * 0.07
        t = np.concatenate([[0.8 - stagger, 0.72 - stagger, 0.64 - stagger, 0.86 - stagger], fallback])
        cx, cy = xa + (xb - xa) * t, ya + (yb - ya) * t
        x0, y0 = cx - bw / 2, cy - bh / 2
        ok = (fx <= x0) & (x0 + bw <= fx + fw) & (fy <= y0) & (y0 + bh <= fy + fh)
        if C.size:  # the box's nearest point to each centre, closer than r + 1
            nx_ = np.clip(C[None, :, 0], x0[:, None], x0[:, None] + bw) - C[None, :, 0]
            ny_ = np.clip(C[None, :, 1], y0[:, None], y0[:, None] + bh) - C[None, :, 1]
            ok &= ~(nx_ * nx_ + ny_ * ny_ < (C[None, :, 2] + 1) ** 2).any(axis=1)
        P = B[:n]
        if n:
            ok &= ~((x0[:, None] < P[:, 0] + P[:, 2] + 0.5) & (P[:, 0] < x0[:, None] + bw + 0.5)
                    & (y0[:, None] < P[:, 1] + P[:, 3] + 0.5) & (P[:, 1] < y0[:, None] + bh + 0.5)).any(axis=1)
        if not ok.any():
            missing += 1
            continue
        j = int(np.argmax(ok))
        B[n] = (x0[j], y0[j], bw, bh)
        n += 1
        spots.append((k, float(cx[j]), float(cy[j]), (float(x0[j]), float(y0[j]), bw, bh)))
    if missing:
        notes.append(f"{missing} label{'s' if missing > 1 else ''} left out for lack of room")
    return spots, notes
