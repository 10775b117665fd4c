"""``python -m villagecov.demo OUT_DIR [--seed N] [--data-dir DIR]``: write the SYNTHETIC demo inputs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from villagecov.demo.generate import generate_demo_inputs
from villagecov.errors import VillagecovError
from villagecov.settings import PROJECT_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m villagecov.demo", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--data-dir", type=Path, default=PROJECT_ROOT / "data")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        manifest = generate_demo_inputs(args.out_dir, args.data_dir, seed=args.seed)
    except VillagecovError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(f"{len(manifest.entries)} SYNTHETIC files in {args.out_dir} "
          f"({time.perf_counter() - started:.1f} s); manifest {manifest.path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
