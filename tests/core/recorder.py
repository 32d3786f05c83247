"""The runner's listener for the core tests (tests/core is on sys.path, pytest's rootdir import)."""


class Recorder:
    """A Listener that keeps everything the runner says."""

    def __init__(self):
        self.contexts, self.snapshots, self.errors = [], [], []

    def on_context(self, ctx):
        self.contexts.append(ctx)

    def on_snapshot(self, snap):
        self.snapshots.append(snap)

    def on_error(self, message):
        self.errors.append(message)

    @property
    def last(self):
        return self.snapshots[-1]
