"""nnviz: watch a neural network built from scratch in NumPy learn."""

__version__ = "0.1.0"
