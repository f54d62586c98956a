"""``python -m agentops report FILE...``, the same as the ``agentops`` command."""

import sys

from agentops.report.cli import main

sys.exit(main())
