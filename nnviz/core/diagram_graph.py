"""The diagram's graph and its layout (networkx): which nodes and edges a network is drawn with.

Wide layers are collapsed to their first ``MAX_NODES - 1`` neurons and a "+N more" marker.
The figures (``diagram.diagram``) and the window's live diagram both draw this graph at
these positions.  Left out: anything about how it looks (``scene``), and where weight
labels go (``label_placement``).
"""

from __future__ import annotations

import networkx as nx

MAX_NODES = 16


def build_graph(sizes: tuple[int, ...], max_nodes: int = MAX_NODES) -> nx.DiGraph:
    """The diagram's graph: neurons ("n", layer, i), bias nodes ("b", layer), "more" markers.

    Edges carry ``layer`` (weight matrix index), ``row`` and ``col`` into it
    (row 0 = bias, as in the weight layout).
    """
    G = nx.DiGraph()
    shown = [list(range(s)) if s <= max_nodes else list(range(max_nodes - 1)) for s in sizes]
    for li, s in enumerate(sizes):
        if li < len(sizes) - 1:
            G.add_node(("b", li), layer=li, kind="bias")
        for i in shown[li]:
            G.add_node(("n", li, i), layer=li, kind="neuron")
        if len(shown[li]) < s:
            G.add_node(("more", li), layer=li, kind="more", hidden=s - len(shown[li]))
    for li in range(len(sizes) - 1):
        for j in shown[li + 1]:
            G.add_edge(("b", li), ("n", li + 1, j), layer=li, row=0, col=j)
            for i in shown[li]:
                G.add_edge(("n", li, i), ("n", li + 1, j), layer=li, row=i + 1, col=j)
    return G


def layout(G: nx.DiGraph, sizes: tuple[int, ...]) -> dict:
    """Positions: networkx's multipartite columns; within a column bias on top, neurons downwards."""
    pos = nx.multipartite_layout(G, subset_key="layer")
    out = {}
    for li in range(len(sizes)):
        nodes = [n for n in G.nodes if G.nodes[n]["layer"] == li]
        order = sorted(nodes, key=lambda n: (0, 0) if n[0] == "b" else (2, 0) if n[0] == "more" else (1, n[2]))
        ys = sorted((pos[n][1] for n in nodes), reverse=True)
        for n, y in zip(order, ys, strict=False):
            out[n] = (float(pos[n][0]), float(y))
    return out


def edge_weights(G: nx.DiGraph, weights) -> list[tuple]:
    """(source, target, layer, row, col, w) of every edge of the graph."""
    return [(u, v, d["layer"], d["row"], d["col"], float(weights[d["layer"]][d["row"], d["col"]]))
            for u, v, d in G.edges(data=True)]
