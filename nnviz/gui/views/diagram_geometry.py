"""The diagram's layout as arrays: where each node is and which nodes each edge joins.

The graph and its positions come from ``nnviz.core.diagram`` (networkx, the same layout as the
exported figures), once per drawing (layer sizes); every part of the diagram view reads them
from here, indexed as ``node_keys`` and the graph's edges.  Nothing here knows Qt but the view's
size of a pixel, handed in.
"""

from __future__ import annotations

import numpy as np

from ...core.diagram import build_graph, layout


class Geometry:
    """Nodes and edges of a network's diagram, with the room between neighbouring nodes."""

    def __init__(self, arch):
        sizes = arch.sizes
        G = build_graph(sizes)
        pos = layout(G, sizes)
        self.graph = G
        self.node_keys: list = list(G.nodes)
        self.node_pos = np.array([pos[n] for n in self.node_keys])
        index = {n: i for i, n in enumerate(self.node_keys)}
        edges = list(G.edges(data=True))
        self.edge_src = np.array([index[u] for u, v, d in edges], dtype=int)
        self.edge_dst = np.array([index[v] for u, v, d in edges], dtype=int)
        self.edge_layer = np.array([d["layer"] for u, v, d in edges], dtype=int)
        self.edge_row = np.array([d["row"] for u, v, d in edges], dtype=int)
        self.edge_col = np.array([d["col"] for u, v, d in edges], dtype=int)
        self.total_edges = arch.n_weights
        self.n_neurons = sum(sizes)
        self.n_bias_nodes = len(sizes) - 1
        self.last_layer = len(sizes) - 1
        self.kinds = [G.nodes[n]["kind"] for n in self.node_keys]
        self.node_layer = np.array([G.nodes[n]["layer"] for n in self.node_keys])
        self.is_neuron = np.array([n[0] == "n" for n in self.node_keys])
        self.collapsed = any(n[0] == "more" for n in self.node_keys)
        rows = max(len([n for n in self.node_keys if n[0] != "more" and G.nodes[n]["layer"] == li])
                   for li in range(len(sizes)))
        self.node_size = int(np.clip(260 / max(rows, 1), 9, 26))  # a circle's diameter in pixels, at most
        # the neurons (each may carry a picture): their indices into node_keys, and their keys
        self.pic_index = np.array([i for i, k in enumerate(self.node_keys) if k[0] == "n"], dtype=int)
        self.pic_keys = [self.node_keys[i] for i in self.pic_index]
        # the room between neighbouring nodes (view units): within a column, and across columns
        ys = self.node_pos[:, 1]
        gaps = [np.diff(np.sort(ys[self.node_layer == li])) for li in range(len(sizes))]
        gaps = [g for g in gaps if g.size]
        self.dy = float(min(g.min() for g in gaps)) if gaps else 1.0
        xs = np.unique(self.node_pos[:, 0])
        self.dx = float(np.diff(xs).min()) if xs.size > 1 else 1.0

    def room_px(self, pixel: tuple[float, float]) -> tuple[float, float] | None:
        """The room between neighbouring nodes in pixels: (across columns, within a column), or
        None before the view has a size; ``pixel`` is the view's size of a pixel (x, y)."""
        px, py = pixel
        if not px or not py or not np.isfinite(px) or not np.isfinite(py):
            return None
        return self.dx / abs(px), self.dy / abs(py)

    def circle_size(self, pixel: tuple[float, float]) -> float:
        """The node circles' diameter in pixels: ``node_size``, smaller where the column has
        less room, so neighbouring circles (the bias node's among them) do not touch."""
        room = self.room_px(pixel)
        if room is None:
            return float(self.node_size)
        return float(np.clip(room[1] * 0.8, 4, self.node_size))
