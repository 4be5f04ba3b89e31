"""vanthu — an electronic office under Vietnamese clerical rules."""

import gc as _gc
import os as _os

__version__ = "0.1.0"

# Python's cycle collector, tuned for a Django process (decision 0032): with the default thresholds (700, 10, 10)
# it ran ~430 times for 30 issuances and took 17 % of the process's CPU; the young generation is collected after
# 50,000 allocations instead. VANTHU_GC_THRESHOLD="700,10,10" gives Python's default back; "" leaves it alone.
GC_THRESHOLD = "50000,50,100"


def _tune_collector(value: str) -> None:
    if not value.strip():
        return
    parts = value.split(",")
    if len(parts) == 3 and all(part.strip().isdecimal() for part in parts):
        _gc.set_threshold(*(int(part) for part in parts))
    # else Python's default stays: `vanthu check` says the value is not understood (core/checks.py, W003)


_tune_collector(_os.environ.get("VANTHU_GC_THRESHOLD", GC_THRESHOLD))
