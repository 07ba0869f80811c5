"""``python -m gati.cli``, the same as the ``gati`` console script."""

import sys

from gati.cli import main

sys.exit(main())
