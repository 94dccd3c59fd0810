"""``python -m chgrid``: the same command as the ``chgrid`` console script."""
import sys

from chgrid.cli import main

sys.exit(main())
