"""nnviz: watch a neural network built from scratch in NumPy learn."""

import logging

__version__ = "0.1.0"

# a library's loggers stay silent until an entry point says where they go (nnviz.logs): without
# this, Python's last-resort handler would print a logged traceback under the one-line error
logging.getLogger(__name__).addHandler(logging.NullHandler())
