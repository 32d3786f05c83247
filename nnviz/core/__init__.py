"""The NumPy core of nnviz: network, activations, losses, training, data, metrics.

Nothing in this package imports Qt; the command line and the GUI both use it.
"""
