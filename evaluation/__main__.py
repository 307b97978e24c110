"""Print how well the reader does on the evaluation set: facts first, then decisions."""

from __future__ import annotations

import sys

from evaluation import decisions, requests


def main() -> int:
    print(requests.report())
    print()
    print(decisions.report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
