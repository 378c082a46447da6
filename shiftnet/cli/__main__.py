"""``python -m shiftnet.cli``: the same as the ``shiftnet`` command."""

import sys

from . import main

sys.exit(main())
