"""What a snapshot carries besides the weights: pure functions of (network, data, view needs).  No Qt.

``derive(net, exp, ctx, needs, ...)`` runs the network once over the training rows (and the
test rows) and returns the snapshot's fields: the weights as read-only copies, the outputs,
mse and accuracy, the regression scores, and what the visible views ask for (``NEEDS``): the
confusion matrix, the decision map over the context's grid, the selected observation's value
(and delta, given the trace of the last iteration) at every node, the diagram's neuron maps
and histograms, the Explain tab's measures (importance.py).  The Dynamics tab keeps a history,
so its fields come through a ``dynamics`` hook the caller passes in (dynamics.Tracker).  Nothing
here trains, keeps state or decides when: the runner calls ``derive`` where it makes a snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from . import dynamics, importance, metrics, nodemaps
from .context import Context, MapGrid
from .experiment import Experiment
from .network import Network
from .snapshot import frozen, read_only
from .training import StepTrace

# What views can ask the runner to compute with each snapshot: outputs, confusion, the decision
# map, the selected observation's value at each node, every node's map over a coarse grid
# (two inputs), every node's histogram over the training rows, the selected node's map, and the
# trace of the step the next Step will make (the inspector's "next step", at rest); "trace": the last
# iteration's matrices at rest (the inspector, the edge card).  The Explain tab's needs (importance,
# gen_weights:K, profile:KIND:J) are importance.py's, computed only when asked.
NEEDS = frozenset({"outputs", "confusion", "map", "nodes", "node_maps", "node_hists", "node_map", "next_step",
                   "trace"})

Layers = list  # Network.forward_layers: (input with the bias column, A, H) per layer
DynamicsHook = Callable[[Network, Layers], dict]


def known(needs: Iterable[str]) -> frozenset[str]:
    """The needs a snapshot can meet: NEEDS, the Explain tab's and the Dynamics tab's (others dropped)."""
    return frozenset(n for n in needs if n in NEEDS or importance.is_need(n) or dynamics.is_need(n))


def derive(net: Network, exp: Experiment, ctx: Context | None, needs: frozenset[str], selected_row: int = 0,
           selected_node: tuple[int, int] | None = None, trace: StepTrace | None = None,
           dynamics_hook: DynamicsHook | None = None) -> dict:
    """The snapshot fields of ``net`` on ``exp``'s rows for these needs (``ctx``: the grids)."""
    every_layer = dynamics_hook is not None or "nodes" in needs or (ctx is not None and "node_hists" in needs)
    if every_layer:
        layers = net.forward_layers(exp.X_train)
        Yhat = layers[-1][2]
    else:  # the outputs alone (the command line, sweeps): a big file's rows a block at a time
        layers, Yhat = [], outputs(net, exp.X_train)
    Th = net.predict(exp.X_test) if exp.X_test is not None else None
    Y_test = exp.Y_test
    task = exp.task
    out = dict(
        weights=tuple(frozen(W) for W in net.weights),
        mse=metrics.mse(exp.Y_train, Yhat),
        accuracy=metrics.accuracy(task, exp.Y_train, Yhat),
        test_mse=metrics.mse(Y_test, Th) if Th is not None and Y_test is not None else None,
        test_accuracy=metrics.accuracy(task, Y_test, Th) if Th is not None and Y_test is not None else None,
        outputs=frozen(Yhat),
        test_outputs=frozen(Th) if Th is not None else None,
        selected_row=min(selected_row, exp.X_train.shape[0] - 1),
        validation_mse=exp.validation_mse(net),
    )
    if task == "regression":
        out["regression"] = exp.regression_scores(Yhat, Th)
    if task == "classes" and "confusion" in needs:
        out["confusion"] = read_only(metrics.confusion(exp.Y_train, Yhat))
    if "map" in needs and ctx is not None and ctx.map_grid is not None:
        out.update(decision_map(net, task, ctx.map_grid))
    if ctx is not None:
        out.update(node_pictures(net, layers, exp, ctx, needs, selected_node))
    out.update(importance.derive(net, exp.X_train, exp.train.X, exp.scaling, needs))
    if dynamics_hook is not None:
        out.update(dynamics_hook(net, layers))
    if "nodes" in needs:
        out.update(node_values(exp.X_train, layers, out["selected_row"], trace))
    return out


OUTPUT_BLOCK_ROWS = 65_536  # more rows than this go through the network a block at a time


def outputs(net: Network, X: np.ndarray) -> np.ndarray:
    """yhat for the rows X without keeping every layer's values for all of them: on 1,000,000
    rows the layers of a 4-6-6-2 network held 343 MiB at nnviz train's peak.  Up to
    OUTPUT_BLOCK_ROWS rows (every data set the window is made for) in one pass, as before."""
    n = X.shape[0]
    if n <= OUTPUT_BLOCK_ROWS:
        return net.predict(X)
    first = net.predict(X[:OUTPUT_BLOCK_ROWS])
    out = np.empty((n, first.shape[1]), dtype=first.dtype)
    out[:OUTPUT_BLOCK_ROWS] = first
    for start in range(OUTPUT_BLOCK_ROWS, n, OUTPUT_BLOCK_ROWS):
        out[start:start + OUTPUT_BLOCK_ROWS] = net.predict(X[start:start + OUTPUT_BLOCK_ROWS])
    return out


def decision_map(net: Network, task: str, grid: MapGrid) -> dict:
    """The output over the grid (the last output, or the only one); with three classes and
    more, the winning class and its margin over the second."""
    z = net.predict(grid.points)
    g = grid.size
    out = {"map_values": frozen((z[:, -1] if z.shape[1] > 1 else z[:, 0]).reshape(g, g))}
    if task == "classes" and z.shape[1] > 2:
        top2 = np.sort(z, axis=1)[:, -2:]
        out["map_class"] = read_only(z.argmax(axis=1).reshape(g, g))
        out["map_margin"] = frozen(np.clip(top2[:, 1] - top2[:, 0], 0.0, 1.0).reshape(g, g))
    return out


def node_values(X: np.ndarray, layers: Layers, row: int, trace: StepTrace | None) -> dict:
    """Row ``row``'s value at every node (inputs first), and its delta at every layer when the
    trace's rows include it."""
    out: dict = {"node_values": tuple(frozen(v) for v in [X[row]] + [H[row] for _, _, H in layers])}
    if trace is not None:
        hits = np.flatnonzero(np.asarray(trace.rows) == row)
        if hits.size:
            out["node_deltas"] = tuple(frozen(lt.delta[hits[0]]) for lt in trace.layers)
    return out


def node_pictures(net: Network, layers: Layers, exp: Experiment, ctx: Context, needs: frozenset[str],
                  node: tuple[int, int] | None) -> dict:
    """Neuron maps (two inputs: one forward pass over the coarse grid for all nodes), the
    selected node's map on the decision map's grid, and the nodes' histograms of the rows;
    maps and histograms of the neurons the diagram draws (see nodemaps.shown)."""
    out: dict = {}
    sizes = exp.arch.sizes
    if "node_maps" in needs and ctx.node_grid is not None:
        out["node_maps"] = nodemaps.grid_maps(net, ctx.node_grid.points, ctx.node_grid.size, nodemaps.shown(sizes))
    if ("node_map" in needs and ctx.map_grid is not None and node is not None
            and 0 <= node[0] < len(sizes) and 0 <= node[1] < sizes[node[0]]):
        out["node_map"] = nodemaps.node_map(net, ctx.map_grid.points, ctx.map_grid.size, *node)
        out["map_node"] = node
    if "node_hists" in needs:
        group, k = nodemaps.groups(exp.task, exp.train.T)
        values = (exp.X_train, *(H for _, _, H in layers))
        out["node_hists"], out["node_hist_edges"] = nodemaps.row_histograms(
            values, (None, *exp.arch.layer_activations), group, k, nodemaps.shown(sizes))
    return out
