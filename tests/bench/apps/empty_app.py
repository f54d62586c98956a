"""Start-up bench app that imports no SDK at all (see startup.py).

It prints, as JSON, which of the provider SDK modules named in BENCH_SDK_MODULES are loaded
when it ends: under the instrumentation there must be none.
"""

import json
import os
import sys

watched = os.environ.get("BENCH_SDK_MODULES", "").split(",")
print(json.dumps(sorted(name for name in watched if name and name in sys.modules)))
