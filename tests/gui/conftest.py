import pytest
from PySide6.QtCore import Qt

from nnviz.core.experiment import Settings


@pytest.fixture
def make_window(qtbot):
    """Build a main window for Settings(**kw) and wait until its first snapshot is painted."""
    from nnviz.gui.app import build_window

    windows = []

    def make(settings=None, speed=None, **kw):
        # as fast as possible unless a test asks for a pace: the tests wait for training, not watch it
        w = build_window(settings or Settings(**kw), speed=speed)
        w.setWindowState(Qt.WindowNoState)  # not maximised: tests resize it to the sizes they try
        w.confirm_close = False  # tests close windows with training in them
        w.sessions.confirm_discard = False  # and change networks under it (the questions have tests of their own)
        qtbot.addWidget(w)
        w.show()
        windows.append(w)
        qtbot.waitUntil(lambda: w.latest is not None, timeout=10_000)
        return w

    yield make
    for w in windows:
        w.close()
        assert not w.controller.training_thread.isRunning()
    import gc

    gc.collect()  # here, in the GUI thread (nnviz.gui.collector turned automatic collection off)


@pytest.fixture(autouse=True)
def _private_settings(tmp_path_factory):
    """Keep the recent-files list of the tests out of the user's own settings."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path_factory.mktemp("qsettings")))


@pytest.fixture(autouse=True)
def _wait_through_a_new_network(monkeypatch):
    """Between a new network's Context and its first snapshot ``w.latest`` is None: a condition
    such as ``lambda: w.latest.iteration == 0`` waited on then is "not yet", not an error (it
    failed now and then on a loaded machine, with AttributeError on None)."""
    from pytestqt.qtbot import QtBot

    real = QtBot.waitUntil

    def wait_until(self, callback, *args, **kwargs):
        def tolerant():
            try:
                return callback()
            except AttributeError as exc:
                if "'NoneType' object has no attribute" in str(exc):
                    return False
                raise

        return real(self, tolerant, *args, **kwargs)

    monkeypatch.setattr(QtBot, "waitUntil", wait_until)
