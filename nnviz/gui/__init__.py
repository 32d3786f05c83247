"""The Qt layer of nnviz: the only package that imports PySide6 and pyqtgraph."""
