"""``make bench``: every benchmark, each reporting ratios against a same-run baseline.

``python -m bench [--quick] [NAME ...]`` with names recorder, scoring, reports, shell, trust,
sync, fit.
"""

from __future__ import annotations

import argparse
import importlib

NAMES = ("recorder", "scoring", "reports", "shell", "trust", "sync", "fit")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="less work, for a smoke run")
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"which benchmarks (default: all of {', '.join(NAMES)})",
    )
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(NAMES)}")
    for name in args.names or NAMES:
        importlib.import_module(f"bench.{name}").main(quick=args.quick)


main()
