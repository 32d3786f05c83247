import pytest

from nnviz.core.experiment import Settings


@pytest.fixture
def make_window(qtbot):
    """Build a main window for Settings(**kw) and wait until its first snapshot is painted."""
    from nnviz.gui.app import build_window

    windows = []

    def make(settings=None, **kw):
        w = build_window(settings or Settings(**kw))
        qtbot.addWidget(w)
        w.show()
        windows.append(w)
        qtbot.waitUntil(lambda: w.latest is not None, timeout=10_000)
        return w

    yield make
    for w in windows:
        w.close()
        assert not w.controller.thread.isRunning()
