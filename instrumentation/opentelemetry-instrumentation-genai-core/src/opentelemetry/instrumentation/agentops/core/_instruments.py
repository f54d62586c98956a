"""The GenAI client metric instruments, with the semantic conventions' bucket boundaries."""

from __future__ import annotations

from typing import Final

from opentelemetry.metrics import Histogram, Meter, NoOpHistogram
from opentelemetry.semconv._incubating.metrics import gen_ai_metrics

__all__ = ["DURATION_BUCKETS", "TOKEN_BUCKETS", "Instruments"]

DURATION_BUCKETS: Final = (
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
)  # fmt: skip
TOKEN_BUCKETS: Final = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip


class Instruments:
    """One set per instrumentation scope; a switched-off signal gets no-op instruments."""

    __slots__ = ("chunk_timing", "duration", "time_per_chunk", "time_to_first_chunk", "token_usage")

    def __init__(
        self, meter: Meter, *, latency: bool, tokens: bool, chunk_timing: bool = True
    ) -> None:
        silent = NoOpHistogram("disabled")
        self.duration: Histogram = silent
        self.time_to_first_chunk: Histogram = silent
        self.time_per_chunk: Histogram = silent
        self.token_usage: Histogram = silent
        if latency:
            self.duration = meter.create_histogram(
                gen_ai_metrics.GEN_AI_CLIENT_OPERATION_DURATION,
                unit="s",
                description="Duration of GenAI client operations",
                explicit_bucket_boundaries_advisory=list(DURATION_BUCKETS),
            )
            self.time_to_first_chunk = meter.create_histogram(
                gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
                unit="s",
                description="Time from sending a streamed request to receiving its first chunk",
                explicit_bucket_boundaries_advisory=list(DURATION_BUCKETS),
            )
        self.chunk_timing = latency and chunk_timing
        """Whether ``time_per_chunk`` records (else the stream need not time its chunks)."""
        if self.chunk_timing:
            self.time_per_chunk = meter.create_histogram(
                gen_ai_metrics.GEN_AI_CLIENT_OPERATION_TIME_PER_OUTPUT_CHUNK,
                unit="s",
                description="Time between consecutive chunks of a streamed response",
                explicit_bucket_boundaries_advisory=list(DURATION_BUCKETS),
            )
        if tokens:
            self.token_usage = meter.create_histogram(
                gen_ai_metrics.GEN_AI_CLIENT_TOKEN_USAGE,
                unit="{token}",
                description="Input and output tokens used by GenAI client operations",
                explicit_bucket_boundaries_advisory=list(TOKEN_BUCKETS),
            )
