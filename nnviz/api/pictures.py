"""What shows a network or a run in Jupyter: the diagram, the error curve or the decision map as
a ``Picture`` (SVG, or PNG on request), a training ``Film`` as an animated GIF.  Qt is
imported (through ``nnviz.gui.inline``) only when a picture is drawn."""

from __future__ import annotations

from pathlib import Path

from .. import io as nnio


class _Pictures:
    """What shows a network in Jupyter: the diagram as SVG or PNG (``nnviz plot``'s drawing,
    painted offscreen), and ``figure()`` for the error curve and the decision map."""

    def _figure_source(self):
        raise NotImplementedError

    def figure(self, what: str = "diagram", *, labels: bool = False, theme: str = "light", title: str | None = None,
               size: tuple[int, int] | None = None) -> Picture:
        """The diagram, the error curve (``"errors"``) or the decision map (``"map"``, two inputs) as a
        picture that Jupyter shows inline; ``.save(path)`` writes SVG, PDF or PNG."""
        from ..gui import inline

        return Picture(inline.scene(self._figure_source(), what, labels, theme, title, size))

    def _repr_svg_(self) -> str:
        return self.figure()._repr_svg_()

    def _repr_png_(self) -> bytes:
        return self.figure()._repr_png_()

    def plot(self, path: str | Path, what: str = "diagram", **options) -> None:
        """Write a figure (``nnviz plot``): .svg, .pdf or .png."""
        self.figure(what, **options).save(path)


class Picture:
    """A figure (a ``core.diagram`` scene) that Jupyter shows inline (SVG, or PNG on request)."""

    def __init__(self, scene):
        self.scene = scene

    def _repr_svg_(self) -> str:
        from ..gui import inline

        return inline.svg(self.scene)

    def _repr_png_(self) -> bytes:
        from ..gui import inline

        return inline.png(self.scene)

    def save(self, path: str | Path, dpi: float = 300.0) -> None:
        """Write the figure to .svg, .pdf or .png."""
        from ..gui import render

        render.save(self.scene, path, dpi=dpi)


class Film:
    """A training film as GIF bytes; Jupyter shows it inline."""

    def __init__(self, gif: bytes):
        self.gif = gif

    def _repr_html_(self) -> str:
        import base64

        return f'<img src="data:image/gif;base64,{base64.b64encode(self.gif).decode("ascii")}" alt="nnviz film"/>'

    def save(self, path: str | Path) -> None:
        nnio.atomic.write_bytes(Path(path), self.gif)
