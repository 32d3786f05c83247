"""python -m nnviz: the command line (see nnviz.cli)."""

import sys

from nnviz.cli import main

sys.exit(main())
