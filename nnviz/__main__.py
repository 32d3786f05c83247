"""python -m nnviz: the command line (see nnviz.cli)."""

import sys

from nnviz.launcher import main

sys.exit(main())
