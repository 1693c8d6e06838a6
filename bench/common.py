"""Shared bits of the benchmarks: percentiles, the results table and JSON file."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).with_name("results")


def percentiles_us(samples_ns: list[int] | np.ndarray) -> dict[str, float]:
    a = np.asarray(samples_ns, dtype=float) / 1000.0
    return {
        "p50_us": float(np.percentile(a, 50)),
        "p95_us": float(np.percentile(a, 95)),
        "p99_us": float(np.percentile(a, 99)),
        "max_us": float(a.max()),
    }


def write_results(name: str, rows: list[dict[str, Any]]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    doc = {
        "benchmark": name,
        "when": stamp,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "rows": rows,
    }
    path.write_text(json.dumps(doc, indent=2))
    return path


def print_table(title: str, rows: list[tuple[str, str, str]]) -> None:
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    print(f"\n{title}")
    print("-" * (sum(width) + 6))
    for r in rows:
        print(f"{r[0]:<{width[0]}}  {r[1]:>{width[1]}}  {r[2]:<{width[2]}}")
