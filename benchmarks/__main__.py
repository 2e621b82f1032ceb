"""`python -m benchmarks` (or `make bench`): run every benchmark in turn, each in its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["sync_bench", "booking_bench", "push_bench", "pwa_first_sync"]


def main() -> None:
    failed = []
    for name in ORDER:
        if not (HERE / f"{name}.py").exists():
            continue
        print(f"\n=== benchmarks.{name}", flush=True)
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=HERE.parent)
        if done.returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
