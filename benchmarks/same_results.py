"""Whether two builds made the same bytes: every file under results/ but the logs.

    python benchmarks/same_results.py BUILD_A BUILD_B

Prints each file that differs or exists in one build only, and exits 1 if any does. Used to check
that a speed-up changes no output (build before and after with ``benchmarks/build.py --work``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SKIPPED = {"logs", "screenshots"}  # timings and browser captures, not outputs of the data


def result_files(project: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``project``/results but logs/ and screenshots/."""
    results = project / "results"
    return {
        path.relative_to(results).as_posix(): path.read_bytes()
        for path in sorted(results.rglob("*"))
        if path.is_file() and path.relative_to(results).parts[0] not in SKIPPED
    }


def differences(a: Path, b: Path) -> list[str]:
    """Lines naming each file of ``a``/results and ``b``/results that differ or is only in one."""
    left, right = result_files(a), result_files(b)
    out = [f"only in {a}: {name}" for name in sorted(left.keys() - right.keys())]
    out += [f"only in {b}: {name}" for name in sorted(right.keys() - left.keys())]
    out += [f"differs: {name}" for name in sorted(left.keys() & right.keys()) if left[name] != right[name]]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    args = parser.parse_args()
    found = differences(args.a, args.b)
    print("\n".join(found) or f"same bytes: {len(result_files(args.a))} files")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
