# The oldest release is the seed's floor; it installs and runs on Python 3.11 with the
# dependency versions of its time (see docs/compatibility.md). The top is the newest major
# the test suite runs.
_instruments = ("openai >= 1.0.0, < 4",)
