"""File > Export weights, diagram image, error plot and decision map.

The weights are those of the frame painted last (``current_model``), written through
``nnviz.io`` in any model format; a figure is the one ``nnviz plot`` draws, with the options its
dialog asks for (``figure_dialog.py``).  Every write is atomic, refused over a file the window
read (``OpenFiles.writes_no_input``), and ends in one line: its error, or what was written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFileDialog, QWidget

from .. import io as nnio
from ..core.experiment import Settings
from ..core.model import Model
from ..core.network import Network
from ..core.snapshot import Snapshot
from ..io.format_json import history_entry
from . import figures
from .controller import Controller
from .figure_dialog import FigureDialog
from .menus import settings_store
from .notices import Notices
from .open_files import OpenFiles
from .views.network_view import NetworkView

NAMES = {"diagram": "diagram", "errors": "error plot", "map": "decision map"}


class Exports:
    """The network shown, as a model file or a figure (see the module doc)."""

    def __init__(self, window: QWidget, controller: Controller, network_view: NetworkView,
                 shown: Callable[[], Snapshot | None], files: OpenFiles, notices: Notices) -> None:
        self.window = window  # the dialogs' parent
        self.controller = controller
        self.network_view = network_view  # its size and weight labels are the diagram's
        self.shown = shown  # the snapshot painted last
        self.files = files
        self.notices = notices

    def current_model(self) -> Model | None:
        """The network of the latest snapshot painted, as a Model ready to save."""
        snap, ctx = self.shown(), self.controller.context
        if snap is None or ctx is None:
            return None
        net = Network.from_weights(ctx.arch, list(snap.weights))
        s = cast(Settings, snap.settings) or ctx.settings  # the settings in force, not those of the last configure
        training = {"iterations": snap.iteration, "mse": snap.mse, "seed": s.seed, "algorithm": s.algorithm,
                    "learning_rate": s.learning_rate(ctx.train.n), "momentum": s.momentum, "batch_size": s.batch_size,
                    "data": ctx.dataset.name, "standardize": s.standardize, "l1": s.l1, "l2": s.l2,
                    "lr_schedule": s.lr_schedule, "validation_fraction": s.validation_fraction,
                    "patience": s.patience}
        if snap.stopped:
            training["stopped"] = snap.stopped
        if snap.best_iteration is not None:
            training.update(best_iteration=snap.best_iteration, stopped_at=snap.stopped_at)
        n_values = snap.outputs.size if snap.outputs is not None else ctx.X_train.shape[0] * ctx.arch.sizes[-1]
        training["error"] = snap.mse * n_values / 2  # R neuralnet's 1/2 sum (y - yhat)^2, plot.nn's footer
        h = self.controller.history
        if len(h):
            training["history"] = history_entry(h.x, h.y)
        ds = ctx.dataset
        return Model(net, ctx.scaling, ds.input_names, ds.output_names, ds.task, ds.target_columns, training)

    # -- weights ---------------------------------------------------------------------------
    def export_weights(self, path: str) -> bool:
        model = self.current_model()
        if model is None:
            self.notices.error("nothing to export yet")
            return False
        if not self.files.writes_no_input(path, keep="model"):  # over the open model on purpose, as --init
            return False
        return self.notices.write(lambda: nnio.save(model, path),
                                  f"weights of iteration {model.training['iterations']} written to {path}")

    @Slot()
    def export_weights_dialog(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self.window, "Export weights", "model.json",
            "nnviz model, JSON (*.json);;NumPy arrays (*.npz);;CSV for R, layer,row,col,weight (*.csv);;ONNX (*.onnx)")
        if path:
            if not Path(path).suffix:
                path += chosen[chosen.rfind("*.") + 1:].rstrip(")") if "*." in chosen else ".json"
            self.export_weights(path)

    # -- figures: the options dialog, then the code of nnviz plot --------------------------
    def _figure(self, what: str, path: str | figures.FigureOptions) -> bool:
        """Write the diagram, error plot or decision map with ``path``'s options (a plain path:
        300 dpi, light, no title, the diagram's labels as shown) through ``figures.save_figure``."""
        opts = path if isinstance(path, figures.FigureOptions) else figures.FigureOptions(path)
        ctx = self.controller.context
        if what == "map" and (ctx is None or ctx.map_grid is None):
            self.notices.error("a decision map needs a data set with 2 inputs")
            return False
        if not self.files.writes_no_input(opts.path):
            return False
        view = self.network_view
        size = (max(view.width(), 400), max(view.height(), 300)) if what == "diagram" else None

        def write() -> None:
            fig = figures.window_figure(self.current_model(), ctx, self.controller.history,
                                        self.controller.test_history)
            figures.export_window(fig, what, opts, size, view.show_labels)

        done = "error history" if opts.path.lower().endswith(".csv") else NAMES[what]
        return self.notices.write(write, f"{done} written to {opts.path}")

    def export_plot(self, path: str | figures.FigureOptions) -> bool:
        """The error plot as .png, .svg or .pdf, or its history as .csv."""
        return self._figure("errors", path)

    def export_diagram(self, path: str | figures.FigureOptions) -> bool:
        return self._figure("diagram", path)

    def export_map(self, path: str | figures.FigureOptions) -> bool:
        """The decision map of the network shown, as vectors (SVG, PDF) or a PNG, as ``nnviz plot --what map``."""
        return self._figure("map", path)

    def figure_dialog(self, what: str) -> FigureDialog:
        """The options dialog of a figure export (file, resolution, theme, title, labels)."""
        return FigureDialog(self.window, settings_store(), what, self.network_view.show_labels)

    def _figure_dialog_then_export(self, what: str) -> None:
        dialog = self.figure_dialog(what)
        if dialog.exec() and dialog.chosen is not None:
            self._figure(what, dialog.chosen)

    @Slot()
    def export_plot_dialog(self) -> None:
        self._figure_dialog_then_export("errors")

    @Slot()
    def export_diagram_dialog(self) -> None:
        self._figure_dialog_then_export("diagram")

    @Slot()
    def export_map_dialog(self) -> None:
        self._figure_dialog_then_export("map")
