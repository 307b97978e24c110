"""Print how well the reader does on the evaluation set (facts first, then decisions),
then on the held-out probes."""

from __future__ import annotations

import sys

from evaluation import decisions, probe, requests


def main() -> int:
    print(requests.report())
    print()
    print(decisions.report())
    print()
    print(probe.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
