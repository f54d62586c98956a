"""Start-up bench app: imports openai and builds a client, nothing else (see startup.py).

It prints, as JSON, which of the provider SDK modules named in BENCH_SDK_MODULES are loaded
when it ends, so the bench can tell whether the instrumentation imported any the app did not.
"""

import json
import os
import sys

import openai

client = openai.OpenAI(api_key="sk-bench-0000000000000000", base_url="http://127.0.0.1:9/v1")

watched = os.environ.get("BENCH_SDK_MODULES", "").split(",")
print(json.dumps(sorted(name for name in watched if name and name in sys.modules)))
