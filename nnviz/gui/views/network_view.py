"""The network diagram, in the manner of R neuralnet's plot.

Layers are columns laid out by networkx (``multipartite_layout``, in
``nnviz.core.diagram``, which also makes the exported figures), computed
once per architecture.  Each layer but the output has a bias node "1" on
top (blue, like neuralnet's).  Edges are sized by |w| relative to the
largest weight shown and coloured by sign; they are drawn as a dozen
strokes with ``connect="pairs"`` (one per sign and width band), not one
graphics item per edge.  Layers wider than ``MAX_NODES`` are collapsed to
their first neurons plus a "+N more" marker, and above ``MAX_EDGES`` edges
only the strongest are drawn; the canvas says so.  Hovering shows the exact
weight of an edge, or a node's activation for the selected observation.
Every neuron carries a small picture (``node_pictures``): its map over the
input plane for two-input data, else its histogram over the training rows;
clicking a neuron selects it (``nodeClicked``) to show it large.

``NetworkView`` coordinates parts that own their graphics items and state, in the
manner of pyqtgraph's ``GraphItem`` over its ``ScatterPlotItem``: the layout as arrays
(``diagram_geometry``), the edges (``diagram_edges``), the node circles and rings
(``diagram_nodes``), the node pictures (``diagram_pictures``), the names and weight
labels (``diagram_labels``), the legend and note (``diagram_legend``) and the pointer's
hover, hit-testing and clicks (``diagram_pointer``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from ...core.diagram import MAX_NODES
from ...core.snapshot import Snapshot
from .diagram_edges import MAX_EDGES, EdgeStrokes, edge_values, micro_step_parts
from .diagram_geometry import Geometry
from .diagram_labels import NameLabels, WeightLabels, node_name, node_title
from .diagram_legend import COMPACT_PX, LegendNote, legend_lines, mode_notes
from .diagram_nodes import DiagramNodes, node_values
from .diagram_pointer import DiagramPointer, weight_label
from .parts import from_part

__all__ = ["MAX_EDGES", "MAX_NODES", "NetworkView", "weight_label"]


def _drawing(ctx) -> tuple:
    """What the diagram's nodes and name labels are made from."""
    return (tuple(ctx.arch.sizes), tuple(ctx.input_labels), tuple(ctx.dataset.output_names))


class NetworkView(pg.PlotWidget):
    """Diagram of the current network; ``set_context`` per architecture, ``show_snapshot`` per frame."""

    edgeClicked = Signal(int, int, int)  # weight matrix (0-based), row (0 = bias), column
    nodeClicked = Signal(int, int)  # layer (0 = inputs), neuron (0-based)
    needsChanged = Signal()  # shown or hidden, pictures on or off: what the runner computes changes
    MODES = ("weights", "gradient", "activations")
    LABELS_AT_REST = WeightLabels.AT_REST
    geo: Geometry | None = None  # the drawing's layout (None before the first network)
    nodes: DiagramNodes  # (absent while the base class is being built)

    # the layout and the parts' state, under the names their readers (tests, neighbouring views) use
    node_keys, node_pos = from_part("geo", "node_keys"), from_part("geo", "node_pos")
    node_layer, edge_src = from_part("geo", "node_layer"), from_part("geo", "edge_src")
    edge_dst, edge_layer = from_part("geo", "edge_dst"), from_part("geo", "edge_layer")
    edge_row, edge_col = from_part("geo", "edge_row"), from_part("geo", "edge_col")
    _dy, _node_size = from_part("geo", "dy"), from_part("geo", "node_size")
    _pic_index, _pic_keys = from_part("geo", "pic_index"), from_part("geo", "pic_keys")
    drawn, edge_width = from_part("strokes", "drawn"), from_part("strokes", "width")
    _nodes, _halo, _pictures = from_part("nodes", "item"), from_part("nodes", "halo"), from_part("nodes", "pictures")
    show_pictures, picture_kind = from_part("nodes", "show"), from_part("nodes", "kind")
    selected_node, input_importance = from_part("nodes", "selected"), from_part("nodes", "importance")
    pictures_from, pictures_iteration = from_part("nodes", "source"), from_part("nodes", "iteration")
    _texts, _note = from_part("name_labels", "texts"), from_part("legend_note", "note")
    _weight_texts, _label_spots = from_part("weight_labels", "texts"), from_part("weight_labels", "spots")
    hover, hover_text = from_part("pointer", "hover"), from_part("pointer", "hover_text")
    show_hover, node_at = from_part("pointer", "show_hover"), from_part("pointer", "node_at")
    edge_at = from_part("pointer", "edge_at")
    _on_mouse_moved, _edge_text = from_part("pointer", "on_mouse_moved"), from_part("pointer", "edge_text")

    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setMinimumSize(160, 110)
        for ax in ("left", "bottom"):
            self.hideAxis(ax)
        self.setMenuEnabled(False)
        self.getViewBox().setMouseEnabled(x=True, y=True)
        self.show_labels = False
        self.selected_row = 0
        self.strokes = EdgeStrokes(self)
        self.nodes = DiagramNodes(self)
        self.name_labels = NameLabels(self)
        self.weight_labels = WeightLabels(self)
        self.legend_note = LegendNote()
        self.pointer = DiagramPointer(self)
        self._was_shown = False
        self._labels_for: bool | None = None  # whether the names were last placed for pictures
        self.scene().sigMouseMoved.connect(self.pointer.on_mouse_moved)
        self.scene().sigMouseClicked.connect(self.pointer.on_mouse_clicked)
        self.mode = "weights"
        self.trace = None
        self.stage: str | None = None
        self.getViewBox().sigTransformChanged.connect(self.place_labels)
        self.getViewBox().sigTransformChanged.connect(self._place_pictures)
        self.weights: tuple[np.ndarray, ...] = ()
        self.context = None
        self._fast = False
        self._live = False  # the last snapshot painted was of training under way
        self.shown_iteration: int | None = None
        self.node_acts: tuple[np.ndarray, ...] | None = None
        self.node_deltas: tuple[np.ndarray, ...] | None = None

    # -- per architecture -------------------------------------------------------
    def set_context(self, ctx) -> None:
        """A new network.  The same drawing (sizes and names) as the one shown, as after Reset,
        keeps its nodes and labels; the weight labels come from a pool that only grows."""
        old, self.context = self.context, ctx
        self.nodes.key = None
        self.trace, self.stage = None, None
        self.weight_labels.reset()
        self.pointer.leave()
        if old is not None and self.geo is not None and _drawing(old) == _drawing(ctx):
            self.nodes.set_context(ctx)
            self._set_legend()
            return
        self.geo = geo = Geometry(ctx.arch)
        self.nodes.set_geometry(geo)
        self.nodes.set_context(ctx)
        self.name_labels.build(geo, ctx)
        if self.legend_note.legend.scene() is None:
            self.addItem(self.legend_note.legend)
            self.addItem(self.legend_note.note)
            self.addItem(self.hover, ignoreBounds=True)
        self._set_legend()  # and fits the range to its lines
        self.weights = ()
        self.place_labels()

    def _set_legend(self) -> None:
        """The legend's lines over the diagram (see ``diagram_legend``), and the range fitted."""
        self.legend_note.set_legend(legend_lines(self.nodes.show, self.nodes.kind, self.context), self._compact())
        if self.geo is not None and len(self.geo.node_pos):
            self._fit_range()

    def _compact(self) -> bool:
        return 0 < self.getViewBox().height() < COMPACT_PX

    def _fit_range(self) -> None:
        """The whole diagram in view, the legend, note and hover box placed (``LegendNote.fit``)."""
        geo = self.geo
        assert geo is not None  # (its callers have a drawing)
        most = 40.0 if self.nodes.show and len(geo.pic_index) else 13.0
        self.legend_note.fit(self, geo, most, self.name_labels.widths(), self.hover)

    def _set_note(self, text: str) -> None:
        """The note's text, wrapped to the diagram's width; the range fitted again when that changed its height."""
        assert self.geo is not None  # (drawn edges have a drawing)
        if self.legend_note.set_note(text, max(self.getViewBox().width() - 12, 60)) and len(self.geo.node_pos):
            self._fit_range()

    def circle_size(self) -> float:
        """The node circles' diameter in pixels (``Geometry.circle_size``)."""
        assert self.geo is not None  # (its callers have a drawing)
        return self.geo.circle_size(self.getViewBox().viewPixelSize())

    def picture_size(self) -> tuple[float, float]:
        """The node pictures' width and height in pixels (``DiagramNodes.picture_size``)."""
        return self.nodes.picture_size(self.getViewBox().viewPixelSize())

    # -- node pictures and rings ------------------------------------------------------
    def picture_needs(self) -> set[str]:
        """What the runner must compute for the node pictures (nothing when hidden or off)."""
        if not self.nodes.show or self.context is None or not self._shown() or self.mode != "weights":
            return set()  # (the gradient and activations modes colour the nodes themselves)
        return {"node_maps"} if self.nodes.kind == "map" else {"node_hists"}

    def _shown(self) -> bool:
        return self.isVisible() and self.width() > 0 and self.height() > 0

    def set_show_pictures(self, on: bool) -> None:
        self.nodes.show = on
        if not on:
            self.nodes.selected = None
        self._set_legend()
        self._draw_pictures(None)
        self.needsChanged.emit()

    def set_selected_node(self, node: tuple[int, int] | None) -> None:
        self.nodes.selected = node
        self._place_pictures()

    def _draw_pictures(self, snap: Snapshot | None) -> None:
        """Colour the snapshot's maps or histograms into one image per drawn neuron."""
        data = None
        if snap is not None and self.nodes.show and self.context is not None and self.mode == "weights":
            data = snap.node_maps if self.nodes.kind == "map" else snap.node_hists
        self.nodes.set_data(data, None if snap is None else snap.iteration)
        self._place_pictures()

    def set_input_importance(self, values) -> None:
        """Ring each drawn input node in the colour of its importance (``values``, one per input:
        blue positive, orange negative, paler the smaller against the largest); None: no rings.
        The Explain tab's option (explain_view.py)."""
        self.nodes.importance = None if values is None else np.asarray(values, dtype=float)
        self.nodes.place_halo(self.getViewBox().viewPixelSize())

    def _place_pictures(self, *_) -> None:
        self.nodes.place(self.getViewBox().viewPixelSize(), self._fast)
        if self.geo is not None and self._labels_for != (self.nodes.pixels is not None):
            self._labels_for = self.nodes.pixels is not None
            self.place_labels()

    # -- Qt events -------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._visibility_changed()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._visibility_changed()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._visibility_changed()
        if self.geo is not None and len(self.geo.node_pos):
            if self._compact() != self.legend_note.compact:
                self._set_legend()  # (which fits the range)
            else:
                self._fit_range()

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """The hover box leaves with the pointer."""
        self.pointer.leave()
        self._focus_labels(None)
        super().leaveEvent(event)

    def _visibility_changed(self) -> None:
        if "nodes" not in self.__dict__:
            return  # an event while the base class is being built
        shown = self._shown()
        if shown != self._was_shown:
            self._was_shown = shown
            self.needsChanged.emit()

    # -- names and weight labels --------------------------------------------------------
    def place_labels(self, *_) -> None:
        """Keep input/output names a few pixels clear of their nodes at any zoom."""
        pixel = self.getViewBox().viewPixelSize()
        if not pixel[0] or not np.isfinite(pixel[0]):
            return
        circle = self.circle_size() if self.geo is not None else None
        picture = self.picture_size()[0] if self.nodes.pixels is not None else None
        self.name_labels.place(self.geo, pixel, circle, picture)
        self._show_weight_labels()

    def set_show_labels(self, on: bool) -> None:
        self.show_labels = on
        if not on:
            self._show_weight_labels()
        if self.weights:
            self._draw_edges()

    def _show_weight_labels(self, w: np.ndarray | None = None) -> None:
        """Each weight on its edge (``WeightLabels.show``), when the labels are on."""
        if w is None:
            if not self.weights:
                return
            w = self.edge_values()
        if not self.show_labels or w.size == 0:
            self.weight_labels.hide()
            return
        picture = self.picture_size() if self.nodes.pixels is not None else None
        self.weight_labels.show(w, self.geo, self._live, self.circle_size(), picture, self.name_labels)

    def _focus_labels(self, node: int | None) -> None:
        """Weight labels follow the node under the pointer (see ``WeightLabels.labelled_edges``)."""
        if node != self.weight_labels.focus:
            self.weight_labels.focus = node
            if self.show_labels:
                self._show_weight_labels()

    # -- per frame -------------------------------------------------------------
    def show_snapshot(self, snap: Snapshot, fast: bool = False) -> None:
        """Draw the snapshot's weights; ``fast`` (while training) paints without antialiasing."""
        self.weights = snap.weights
        self.shown_iteration = snap.iteration
        self.trace = snap.trace
        self._live = snap.state in ("running", "stepping")
        self.stage = snap.stage
        self.node_acts = snap.node_values
        self.node_deltas = snap.node_deltas
        self.selected_row = snap.selected_row
        self._fast = fast
        self._draw_edges()
        self._draw_nodes()
        self._draw_pictures(snap)
        self.pointer.refresh()

    def set_mode(self, mode: str) -> None:
        """weights (default), gradient (dC/dw of the last step, deltas on the nodes) or
        activations (the selected observation's values on the nodes)."""
        self.mode = mode
        if self.weights:
            self._draw_edges()
            self._draw_nodes()
        if self.geo is not None:
            self._draw_pictures(None)  # until the next snapshot: none in the value modes
        self.pointer.refresh()
        self.needsChanged.emit()

    def node_values(self) -> np.ndarray | None:
        """The value shown on each node in the current mode (NaN: none), or None in weights mode.
        Both come with the snapshot: activations of the selected observation, or its deltas in
        the last step (none when the observation was not in that step's mini-batch)."""
        if self.mode == "weights" or not self.weights:
            return None
        return node_values(self.geo, self.mode, self.node_acts, self.node_deltas)

    def _draw_nodes(self) -> None:
        # in weights mode the nodes only change with the micro-step shown: skip the (slow) setData
        key = (self.mode, self.stage, self.selected_row,
               None if self.mode == "weights" else (id(self.node_acts), id(self.node_deltas)))
        if self.mode == "weights" and key == self.nodes.key:
            return
        self.nodes.key = key
        vals = self.node_values()
        lit_layers = micro_step_parts(self.stage, len(self.weights))[1]
        self.nodes.paint(vals, lit_layers, self.getViewBox().viewPixelSize())

    def edge_values(self) -> np.ndarray:
        """What every edge in the graph shows (drawn or not): its weight, or in gradient
        mode dC/dw of the last step (zero before any step)."""
        return edge_values(self.geo, self.mode, self.weights, self.trace)

    def _draw_edges(self) -> None:
        w = self.edge_values()
        self.strokes.draw(w, self.geo, micro_step_parts(self.stage, len(self.weights))[0], self._fast)
        notes = self.strokes.notes(self.geo) + mode_notes(self.mode, self.trace is not None, self.selected_row)
        self._show_weight_labels(w)
        self._set_note("\n".join(notes + (self.weight_labels.notes if self.show_labels else [])))

    def name(self, layer: int, i: int) -> str:
        """A node's name (``diagram_labels.node_name``): x1, h1.3, setosa."""
        return node_name(self.context, layer, i)

    def node_title(self, layer: int, i: int) -> str:
        """A node's name for titles: 'input x1', 'hidden 1, node 3', 'output setosa'."""
        return node_title(self.context, layer, i)
