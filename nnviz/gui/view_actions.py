"""What the views show: the View menu (neuron maps, the decision map), the node and the
observation chosen, the edge card, the inspector's room, and what the runner computes for them.

A click on a node shows its map (two inputs) or its histogram large; a click on an edge opens
its card, refreshed every frame while it is open; a chosen row is the inspector's observation.
Each change tells the runner what the visible views need with each snapshot
(``send_needs``): nothing is computed for a view that is hidden.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSplitter, QWidget

from ..core.experiment import Settings
from ..core.nodemaps import layer_levels
from ..core.runner import Context
from ..core.snapshot import Snapshot
from .controller import Controller
from .views.dynamics_view import DynamicsView
from .views.edge_card import EdgeCard
from .views.explain_view import ExplainView
from .views.feature_toggles import FeatureToggles
from .views.inspector import Inspector
from .views.layer_buttons import LayerButtons
from .views.network_view import NetworkView
from .views.node_histogram import NodeHistogram
from .views.predictions_view import PredictionsView

MAPS_BY_DEFAULT_INPUTS = 16  # neuron maps / histograms are on by default up to this many inputs
INSPECTOR_SHARE = 0.62  # of the diagram's column, for the tabs while the inspector is shown


def show_tools(toggles: FeatureToggles, buttons: LayerButtons, ctx: Context, settings: Settings) -> None:
    """The diagram's tools for a network: the feature toggles by its inputs, the +/- buttons."""
    ds = ctx.dataset
    toggles.show_features(ds.X.shape[1], settings.features, ds.input_names)
    buttons.set_hidden(ctx.arch.hidden)


class ViewActions:
    """The window's choices of what to show (see the module doc)."""

    def __init__(self, window: QWidget, controller: Controller, menu: QMenu, network_view: NetworkView,
                 predictions: PredictionsView, inspector: Inspector, node_histogram: NodeHistogram,
                 explain: ExplainView, dynamics: DynamicsView, edge_card: EdgeCard, right: QSplitter,
                 shown: Callable[[], Snapshot | None]) -> None:
        self.controller = controller
        self.network_view = network_view
        self.predictions = predictions  # the tabs under the diagram, and the map beside the error plot
        self.inspector = inspector
        self.node_histogram = node_histogram  # a tab while a node's histogram is chosen
        self.explain = explain
        self.dynamics = dynamics
        self.edge_card = edge_card
        self.right = right  # the diagram over the tabs
        self.shown = shown  # the snapshot painted last
        self.selected_node: tuple[int, int] | None = None
        self.selected_row = 0
        self._maps_choice: bool | None = None  # the user's Neuron maps choice, once made
        self._sizes_before_inspector: list[int] | None = None

        self.maps_action = QAction("&Neuron maps", window)
        self.maps_action.setCheckable(True)
        self.maps_action.setChecked(True)
        self.maps_action.setToolTip("each node of the diagram shows its output over the input plane (two inputs) "
                                    "or its histogram over the training rows; click a node to enlarge it")
        self.maps_action.triggered.connect(self.set_neuron_maps)  # the user only, not setChecked
        menu.addAction(self.maps_action)
        self.map_action = QAction("&Decision map", window)
        self.map_action.setCheckable(True)
        self.map_action.setChecked(True)
        self.map_action.setToolTip("the network's output over the input plane, beside the error plot (two inputs)")
        self.map_action.triggered.connect(self.set_decision_map)
        menu.addAction(self.map_action)

        for view in (explain, dynamics, network_view):
            view.needsChanged.connect(self.send_needs)
        predictions.rowSelected.connect(self._on_row_selected)
        inspector.rowChosen.connect(self._on_row_selected)  # an observation chosen in the inspector
        network_view.edgeClicked.connect(self.open_edge_card)
        network_view.nodeClicked.connect(self.select_node)
        predictions.currentChanged.connect(self.send_needs)
        predictions.currentChanged.connect(self._focus_inspector)
        edge_card.weightEdited.connect(controller.set_weight)

    def on_context(self, ctx: Context) -> None:
        """A new network: no node chosen, its pictures as chosen (or by its size), no edge card."""
        self.selected_node = None
        self._show_histogram_tab(False)
        self.maps_action.setChecked(self._maps_choice if self._maps_choice is not None
                                    else ctx.arch.n_inputs <= MAPS_BY_DEFAULT_INPUTS)
        self.network_view.set_show_pictures(self.maps_action.isChecked())
        self.map_action.setEnabled(ctx.map_grid is not None)
        self.predictions.map_plot.setVisible(ctx.map_grid is not None and self.map_action.isChecked())
        self.edge_card.hide()

    def on_frame(self, snap: Snapshot) -> None:
        """The chosen node's histogram and the open edge card paint the frame too."""
        if self.predictions.indexOf(self.node_histogram) >= 0:
            self.node_histogram.show_snapshot(snap)
        if self.edge_card.isVisible() and self.edge_card.key is not None:
            layer, row, col = self.edge_card.key
            self.open_edge_card(layer, row, col, snap=snap)

    def send_needs(self, *_: object, row: int | None = None) -> None:
        """Tell the runner what the visible views need with each snapshot (``row``: the observation
        chosen from now on)."""
        if row is not None:
            self.selected_row = row
        # the last iteration's matrices ("trace"): the inspector, the edge card and the diagram's
        # gradient mode show them, whatever tab is open
        tab = self.predictions.currentWidget()
        needs = self.predictions.needs() | {"nodes", "next_step", "trace"} | self.network_view.picture_needs()
        if tab is self.node_histogram:
            needs.add("node_hists")
        needs |= self.explain.needs(tab is self.explain)
        needs |= self.dynamics.needs(tab is self.dynamics)
        self.controller.set_view(needs, self.selected_row, self.selected_node)

    @Slot(int)
    def _on_row_selected(self, row: int) -> None:
        self.send_needs(row=row)

    # -- neuron maps ----------------------------------------------------------------
    @Slot(int, int)
    def select_node(self, layer: int, i: int) -> None:
        """A click on a node: show its map (two inputs) or histogram large; the same node again,
        or an output node's map, goes back to the network's decision."""
        ctx, nv = self.controller.context, self.network_view
        if ctx is None:
            return
        node: tuple[int, int] | None = (layer, i)
        two_inputs = ctx.map_grid is not None
        if node == self.selected_node or (two_inputs and layer == len(ctx.arch.sizes) - 1):
            node = None
        self.selected_node = node
        nv.set_selected_node(node)
        title = nv.node_title(*node) if node is not None else ""
        if two_inputs:
            levels = layer_levels(ctx.arch.layer_activations)[layer]
            self.predictions.set_map_node(node, title, levels)
        else:
            groups = ctx.dataset.output_names if ctx.dataset.task == "classes" else \
                ("0", "1") if ctx.dataset.task == "binary" else ("rows",)
            self.node_histogram.set_node(node, title, tuple(groups))
            self._show_histogram_tab(node is not None)
        self.send_needs()

    def _show_histogram_tab(self, on: bool) -> None:
        i = self.predictions.indexOf(self.node_histogram)
        if on and i < 0:
            self.predictions.addTab(self.node_histogram, "Neuron histogram")
        if on:
            self.predictions.setCurrentWidget(self.node_histogram)
        elif i >= 0:
            self.predictions.removeTab(i)

    @Slot(bool)
    def set_neuron_maps(self, on: bool) -> None:
        """View > Neuron maps: the pictures on the nodes (maps or histograms), on or off."""
        self._maps_choice = on
        if not on and self.selected_node is not None:
            self.select_node(*self.selected_node)  # back to the decision
        self.network_view.set_show_pictures(on)

    @Slot(bool)
    def set_decision_map(self, on: bool) -> None:
        """View > Decision map: the map panel beside the error plot, shown or hidden (it is
        computed only while shown)."""
        self.map_action.setChecked(on)
        ctx = self.controller.context
        self.predictions.map_plot.setVisible(on and ctx is not None and ctx.map_grid is not None)
        self.send_needs()

    # -- the edge card and the inspector's room ----------------------------------------------
    @Slot(int, int, int)
    def open_edge_card(self, layer: int, row: int, col: int, snap: Snapshot | None = None) -> None:
        """The card of weight W[layer][row, col] (0-based; it shows them 1-based), from the
        snapshot painted now; every frame refreshes it while it is open."""
        shown = snap is not None
        snap = snap or self.shown()
        if snap is None or self.controller.context is None:
            return
        nv = self.network_view
        src = "bias" if row == 0 else nv.name(layer, row - 1)
        self.edge_card.show_edge(layer, row, col, src, nv.name(layer + 1, col), snap)
        if not shown:
            self.edge_card.show()
            self.edge_card.raise_()

    @Slot(int)
    def _focus_inspector(self, _index: int = -1) -> None:
        """The step-through focus: the inspector's tab takes most of the diagram's column while
        it is shown ([1, H], W and A side by side at a readable size); leaving it gives the
        diagram back the room it had."""
        right = self.right
        total = sum(right.sizes())
        if total <= 0:
            return
        if self.predictions.currentWidget() is self.inspector:
            if self._sizes_before_inspector is None:
                self._sizes_before_inspector = right.sizes()
                tabs = int(total * INSPECTOR_SHARE)
                right.setSizes([total - tabs, tabs])
        elif self._sizes_before_inspector is not None:
            right.setSizes(self._sizes_before_inspector)
            self._sizes_before_inspector = None
