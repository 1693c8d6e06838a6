"""``make bench``: every benchmark, each reporting ratios against a same-run baseline."""

from __future__ import annotations

import argparse

from bench import recorder


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="a tenth of the work, for a smoke run")
    args = parser.parse_args()
    recorder.main(quick=args.quick)


main()
