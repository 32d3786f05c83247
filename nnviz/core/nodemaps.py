"""Neuron maps and activation histograms: what every node of the diagram shows.  No Qt.

For data with two inputs, a node's *map* is its output over the input plane
(TensorFlow Playground's picture): one forward pass over a coarse grid gives
every node's map at once.  For data with more inputs, a node's *histogram*
counts its activation over the training rows in ``BINS`` fixed bins, per class.
The runner computes both with the snapshot, only while the diagram shows them.

Scales are fixed per layer, never renormalised per frame (which would hide
change): a sigmoid or softmax node from 0 to 1, tanh from -1 to 1, anything
unbounded (inputs, relu, linear) from -2 to 2 (inputs are standardised), clamped.
Histogram bins span 0..1 for sigmoid and softmax, -1..1 for tanh, and the
observed range of the node over the rows otherwise.
"""

from __future__ import annotations

import numpy as np

from .network import Network
from .snapshot import frozen

BINS = 12
DIAGRAM_NODES = 16  # core.diagram.MAX_NODES: a wider layer is drawn as its first 15 neurons and "+N more"
MAX_ROWS = 2000  # histograms of more training rows use every k-th row (k = ceil(rows / MAX_ROWS))
UNBOUNDED = (-2.0, 2.0)
BOUNDS = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def layer_levels(layer_activations: tuple[str, ...]) -> tuple[tuple[float, float], ...]:
    """The colour scale (low, high) of every layer, inputs first."""
    return (UNBOUNDED, *(BOUNDS.get(name, UNBOUNDED) for name in layer_activations))


def shown(sizes: tuple[int, ...], max_nodes: int = DIAGRAM_NODES) -> tuple[int, ...]:
    """How many neurons of each layer the diagram draws (the first ones)."""
    return tuple(s if s <= max_nodes else max_nodes - 1 for s in sizes)


def grid_maps(net: Network, points: np.ndarray, size: int,
              counts: tuple[int, ...] | None = None) -> tuple[np.ndarray, ...]:
    """The output of every node (the first ``counts[l]`` of each layer; all by default) over a
    size x size grid: per layer (inputs first) an array (nodes, size, size) indexed
    [node, x, y], from one forward pass over ``points`` (size * size, p), x-major as
    ``runner.map_grid`` makes them."""
    layers = net.forward_layers(points)
    values = [np.asarray(points, dtype=np.float64)] + [H for _, _, H in layers]
    if counts is not None:
        values = [v[:, :c] for v, c in zip(values, counts, strict=True)]
    return tuple(frozen(v.T.reshape(v.shape[1], size, size)) for v in values)


def node_map(net: Network, points: np.ndarray, size: int, layer: int, node: int) -> np.ndarray:
    """One node's output over the grid, (size, size) indexed [x, y]."""
    if layer == 0:
        v = np.asarray(points, dtype=np.float64)[:, node]
    else:
        v = net.forward_layers(points)[layer - 1][2][:, node]
    return frozen(v.reshape(size, size))


def groups(task: str, T: np.ndarray) -> tuple[np.ndarray, int]:
    """The group of every row for the histograms: its class (classes), its first output's
    0/1 (binary), or one group (regression).  Returns (group index per row, number of groups)."""
    if task == "classes":
        return T.argmax(axis=1), T.shape[1]
    if task == "binary":
        return (T[:, 0] >= 0.5).astype(np.intp), 2
    return np.zeros(T.shape[0], dtype=np.intp), 1


def bin_edges(values: np.ndarray, activation: str | None, bins: int = BINS) -> np.ndarray:
    """Edges (nodes, bins + 1) for values (rows, nodes): the activation's range, or each node's
    observed range (widened by 0.5 each side when the node is constant, as np.histogram does)."""
    n = values.shape[1]
    if activation in BOUNDS:
        lo, hi = np.full(n, BOUNDS[activation][0]), np.full(n, BOUNDS[activation][1])
    else:
        with np.errstate(all="ignore"):
            fin = np.where(np.isfinite(values), values, np.nan)
            lo = np.nanmin(fin, axis=0) if values.shape[0] else np.zeros(n)
            hi = np.nanmax(fin, axis=0) if values.shape[0] else np.ones(n)
        lo = np.where(np.isfinite(lo), lo, 0.0)
        hi = np.where(np.isfinite(hi), hi, 1.0)
        flat = hi <= lo
        lo, hi = np.where(flat, lo - 0.5, lo), np.where(flat, hi + 0.5, hi)
    return np.linspace(lo, hi, bins + 1, axis=1)


def histogram(values: np.ndarray, edges: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Counts (nodes, groups, bins) of values (rows, nodes) in each node's bins, with
    np.histogram's rule (edges[i] <= v < edges[i + 1], the last bin closed; values outside
    and non-finite ones not counted), for all nodes at once."""
    rows, n = values.shape
    bins = edges.shape[1] - 1
    lo, hi = edges[:, 0], edges[:, -1]
    with np.errstate(all="ignore"):
        keep = (values >= lo) & (values <= hi)  # False for NaN
        idx = ((values - lo) * (bins / (hi - lo))).astype(np.intp)
    np.clip(idx, 0, bins - 1, out=idx)
    # equal-width bins computed by division can miss by one next to an edge: compare with the edges
    base = np.arange(n) * (bins + 1)
    flat_edges = edges.ravel()
    idx -= values < flat_edges[base + idx]
    idx += (values >= flat_edges[base + idx + 1]) & (idx < bins - 1)
    flat = (np.arange(n) * n_groups + np.asarray(group, dtype=np.intp)[:, None]) * bins + idx
    counts = np.bincount(flat[keep], minlength=n * n_groups * bins)
    return counts.reshape(n, n_groups, bins)


def row_histograms(values: tuple[np.ndarray, ...], activations: tuple[str | None, ...], group: np.ndarray,
                   n_groups: int, shown: tuple[int, ...] | None = None,
                   bins: int = BINS) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """(counts, edges) per layer from the per-layer values (rows, nodes) of the training rows,
    for the first ``shown[l]`` nodes of each layer (all by default) and at most MAX_ROWS rows."""
    step = -(-values[0].shape[0] // MAX_ROWS)
    rows = slice(None, None, step)
    counts, edges = [], []
    for li, (v, act) in enumerate(zip(values, activations, strict=True)):
        v = v[rows, : shown[li]] if shown is not None else v[rows]
        e = bin_edges(v, act, bins)
        c = histogram(v, e, group[rows], n_groups)
        c.flags.writeable = False
        counts.append(c)
        edges.append(frozen(e))
    return tuple(counts), tuple(edges)


def rows_used(n_rows: int) -> np.ndarray:
    """The training rows the histograms count (all up to MAX_ROWS, else every k-th)."""
    return np.arange(0, n_rows, -(-n_rows // MAX_ROWS))
