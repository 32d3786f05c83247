"""One module per view; each has ``set_context(ctx)`` and ``show_snapshot(snapshot)``."""
