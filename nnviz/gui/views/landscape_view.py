"""The Dynamics tab's loss-landscape page: the training mse on a 2-D slice of weight space around
the present weights, computed on demand (Compute; progress and Cancel; in a thread of its own,
``gui/landscape_job.py``), drawn as a map of log10(mse) with contour lines, the training path
projected on it (orange, from a dot at its start), the present weights (a ring at 0, 0) and the
iteration shown (a red cross): the cross follows the history slider and training, the weights of
every frame projected onto the plane (``Landscape.coords``); the map stays that of the iteration
it was computed at, as its title says.  *Save figure* writes it as SVG, PDF or PNG through the
figures' drawing (``core/landscape_figures.py``, as ``nnviz landscape --out``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QThread, Slot
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from ...core import landscape as land_mod
from ...core.landscape_figures import contours, landscape_scene, log_levels
from ...core.snapshot import Snapshot
from .. import landscape_job
from ..figures import FigureOptions
from .flow_layout import FlowLayout

PATH_PEN = (230, 97, 1)
SHOWN_PEN = (228, 26, 28)


class LandscapePage(QWidget):
    """Compute, show and follow one landscape of the window's run (see the module doc)."""

    def __init__(self, controller=None, parent=None):
        super().__init__(parent)
        self.controller = controller  # asks the worker for the run's stored states (film source)
        self.ctx = None
        self.land: land_mod.Landscape | None = None
        self.shown: tuple[int, np.ndarray] | None = None  # the iteration shown and its (a, b)
        self.shown_iteration: int | None = None
        self._job: tuple[landscape_job.LandscapeJob, QThread | None] | None = None  # (job, thread or None)
        self.last_error = ""
        self.directions_box = QComboBox()
        self.directions_box.addItem("PCA of the path", "pca")
        self.directions_box.addItem("random (filter-normalised)", "random")
        self.directions_box.setToolTip("pca: the first two principal components of the weights along the training "
                                       "path so far\nrandom: two random directions, each neuron's part scaled to "
                                       "its weights' norm (Li et al., 2018)")
        self.size_box = QSpinBox()
        self.size_box.setRange(5, land_mod.MAX_SIZE)
        self.size_box.setSingleStep(2)
        self.size_box.setValue(land_mod.DEFAULT_SIZE)
        self.size_box.setToolTip("grid points along each axis (odd: the present weights are the centre point)")
        self.compute_button = QPushButton("Compute")
        self.compute_button.setToolTip("compute the landscape around the present weights (in the background; "
                                       "training goes on)")
        self.cancel_button = QPushButton("Cancel")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(160)
        self.save_button = QPushButton("Save figure\u2026")
        self.save_button.setEnabled(False)
        self.note = QLabel("Compute draws the training error around the present weights.")
        self.note.setStyleSheet("color: #555")
        self.note.setWordWrap(True)
        bar = QWidget()
        top = FlowLayout(bar, spacing=8)
        top.setContentsMargins(4, 2, 4, 0)
        for label, box in (("directions", self.directions_box), ("grid", self.size_box)):
            pair = QWidget()
            row = QHBoxLayout(pair)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(QLabel(label))
            row.addWidget(box)
            top.addWidget(pair)
        for w in (self.compute_button, self.progress, self.cancel_button, self.save_button):
            top.addWidget(w)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMinimumSize(80, 90)
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.contour_lines = pg.PlotDataItem(pen=pg.mkPen(255, 255, 255, 200, width=1), connect="finite")
        self.path_line = pg.PlotDataItem(pen=pg.mkPen(*PATH_PEN, width=2.5))
        self.start_dot = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(*PATH_PEN), pen=pg.mkPen(0, 0, 0))
        self.ring = pg.ScatterPlotItem(size=13, brush=pg.mkBrush(255, 255, 255), pen=pg.mkPen(0, 0, 0, width=2))
        self.cross = pg.ScatterPlotItem(size=15, symbol="x", brush=pg.mkBrush(*SHOWN_PEN), pen=pg.mkPen(*SHOWN_PEN))
        for item in (self.contour_lines, self.path_line, self.start_dot, self.ring, self.cross):
            self.plot.addItem(item)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(bar)
        lay.addWidget(self.note)
        lay.addWidget(self.plot, 1)
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button.clicked.connect(self.save_dialog)
        if controller is not None:  # (a film's request brings one too: taken only while waiting)
            controller.filmSource.connect(self._source_arrived)
        self._idle(True)

    def _idle(self, idle: bool) -> None:
        self.compute_button.setEnabled(idle)
        self.progress.setVisible(not idle)
        self.cancel_button.setVisible(not idle)

    def set_context(self, ctx) -> None:
        """A new network: the landscape of the old one goes (and a job under way is cancelled)."""
        if self.ctx is not None and ctx.generation == self.ctx.generation and ctx.arch == self.ctx.arch:
            self.ctx = ctx
            return
        self.ctx = ctx
        self.stop()
        self.land, self.shown = None, None
        for item in (self.contour_lines, self.path_line, self.start_dot, self.ring, self.cross):
            item.setData([], [])
        self.image.clear()
        self.save_button.setEnabled(False)
        self.note.setText("Compute draws the training error around the present weights.")

    # -- the job ---------------------------------------------------------------------------
    @Slot()
    def compute(self) -> bool:
        """Start a landscape around the present weights (False, with a note, when one is under way)."""
        if self._job is not None or self.controller is None or self.ctx is None:
            return False
        size = self.size_box.value()
        if size % 2 == 0:
            size += 1
            self.size_box.setValue(size)
        job = landscape_job.LandscapeJob(self.directions_box.currentData(), size, int(self.ctx.settings.seed))
        self._monitor = landscape_job.LandscapeMonitor(self, job)
        self._job = (job, None)
        self._idle(False)
        self.progress.setValue(0)
        self.note.setText("asking the run for its stored states\u2026")
        self.controller.request_film_source()  # the worker answers between two chunks
        return True

    @Slot(object)
    def _source_arrived(self, source) -> None:
        if self._job is None or self._job[1] is not None:
            return
        job = self._job[0]
        if job.cancel.is_set():
            self.landscape_failed("")
            return
        job.source = source
        self._job = (job, landscape_job.start(job))

    @Slot()
    def cancel(self) -> None:
        if self._job is not None:
            self._job[0].cancel.set()
            if self._job[1] is None:  # still waiting for the states
                self._ended()
                self.note.setText("cancelled")

    def landscape_progress(self, what: str, k: int, n: int) -> None:
        first = what.startswith("replaying")
        self.progress.setValue((0 if first else 60) + int((60 if first else 40) * k / max(n, 1)))
        self.note.setText(f"{what}: {k} of {n}")

    def landscape_done(self, land: land_mod.Landscape) -> None:
        self._ended()
        self.land = land
        self.save_button.setEnabled(True)
        self._draw()
        self.note.setText(f"training mse around the weights of iteration {land.iteration:,} (ring, {land.current:.5g}); "
                          f"{land.values.min():.5g} to {land.values.max():.5g} on the grid; the cross: the "
                          "iteration shown")

    def landscape_failed(self, message: str) -> None:
        self._ended()
        self.last_error = message
        self.note.setText(message or "cancelled")

    def _ended(self) -> None:
        if self._job is not None:
            thread = self._job[1]
            if thread is not None:
                thread.quit()
                thread.wait()
            self._job = None
        self._idle(True)

    def stop(self) -> None:
        """Cancel a job under way and wait for its thread (a new network, closing the window)."""
        if self._job is not None:
            self._job[0].cancel.set()
            self._ended()

    @property
    def busy(self) -> bool:
        return self._job is not None

    # -- drawing ---------------------------------------------------------------------------
    def _draw(self) -> None:
        land = self.land
        assert land is not None
        a, b = land.a, land.b
        logv = np.log10(np.clip(land.values, 1e-300, None))
        da, db = (a[-1] - a[0]) / (a.size - 1), (b[-1] - b[0]) / (b.size - 1)
        self.image.setImage(logv, autoLevels=True)
        self.image.setRect(float(a[0] - da / 2), float(b[0] - db / 2), float(da * a.size), float(db * b.size))
        xs, ys = [], []
        for level in log_levels(land.values):
            for line in contours(a, b, logv, float(level)):
                xs.extend([*line[:, 0], np.nan])
                ys.extend([*line[:, 1], np.nan])
        self.contour_lines.setData(np.array(xs, dtype=float), np.array(ys, dtype=float))
        if land.path.shape[0]:
            self.path_line.setData(land.path[:, 0], land.path[:, 1])
            self.start_dot.setData([land.path[0, 0]], [land.path[0, 1]])
        else:
            self.path_line.setData([], [])
            self.start_dot.setData([], [])
        self.ring.setData([0.0], [0.0])
        self.plot.setLabel("bottom", land.names[0])
        self.plot.setLabel("left", land.names[1])
        self.plot.setTitle(f"training mse (log10, viridis) around iteration {land.iteration:,}", size="9pt")
        self.plot.setRange(xRange=(a[0] - da / 2, a[-1] + da / 2), yRange=(b[0] - db / 2, b[-1] + db / 2), padding=0)
        self._mark()

    def _mark(self) -> None:
        if self.land is None or self.shown is None:
            self.cross.setData([], [])
            return
        self.cross.setData([float(self.shown[1][0])], [float(self.shown[1][1])])

    def show_snapshot(self, snap: Snapshot) -> None:
        """The cross at the projection of the weights of the iteration shown."""
        self.shown_iteration = snap.iteration
        if self.land is None:
            return
        params = np.concatenate([np.ravel(W) for W in snap.weights])
        if params.size != self.land.center.size:
            return
        self.shown = (snap.iteration, self.land.coords(params))
        self._mark()

    # -- export ----------------------------------------------------------------------------
    @Slot()
    def save_dialog(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(self, "Save the landscape", "landscape.svg",
                                                   "SVG (*.svg);;PDF (*.pdf);;PNG image (*.png)")
        if path:
            if not Path(path).suffix and "*." in chosen:
                path += chosen[chosen.rfind("*.") + 1:].rstrip(")")
            self.save(path)

    def save(self, path: str, dpi: float = 300.0, theme: str = "light", title: str | None = None) -> bool:
        """The landscape as the figure ``nnviz landscape --out`` draws, with the iteration shown."""
        if self.land is None:
            return False
        from .. import render

        try:
            FigureOptions(path, dpi, theme, title).check("landscape")
            arch = self.ctx.arch.describe() if self.ctx is not None else ""
            render.save(landscape_scene(self.land, title, theme, shown=self.shown, subtitle=f"{arch} network"),
                        path, dpi=dpi)
        except (ValueError, OSError) as exc:
            self.last_error = str(exc)
            self.note.setText(str(exc))
            return False
        self.note.setText(f"written to {path}")
        return True
