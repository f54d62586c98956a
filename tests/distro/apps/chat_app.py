"""An LLM app with no OpenTelemetry code: one chat completion through the openai SDK.

The client reads OPENAI_BASE_URL and OPENAI_API_KEY from the environment; the app prints
the reply, then how long the call took. With SCRAPE_URL set, the app then prints that
URL's body (the Prometheus endpoint of its own metrics), so a test can read what a pull
exporter serves while the process is alive.
"""

from __future__ import annotations

import os
import time
import urllib.request

from openai import OpenAI


def main() -> None:
    client = OpenAI(max_retries=0)
    started = time.perf_counter()
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Say hello to the distro test"}],
    )
    elapsed = time.perf_counter() - started
    print(f"reply: {reply.choices[0].message.content}", flush=True)
    print(f"call seconds: {elapsed:.4f}", flush=True)
    scrape_url = os.environ.get("SCRAPE_URL")
    if scrape_url:
        with urllib.request.urlopen(scrape_url, timeout=5) as response:
            print(response.read().decode(), flush=True)


if __name__ == "__main__":
    main()
