#!/usr/bin/env python3
"""Times scipy.optimize.linear_sum_assignment on the matrices written by bench/assignment.bench.ts.

Run the TypeScript bench first (it writes the matrices and its own medians to the manifest), then:

    python3 bench/reference/assignment.py [--iterations N] [--manifest PATH] [--json out.json]

Prints, per matrix, the symfuse median (from the manifest), scipy's median over the same number of
timed runs (after one warm-up), their ratio, and whether the optimal totals agree (relative 1e-9): the
same exactness check as the unit tests, at full size. Times include scipy's own input handling (its
`maximize=True` copy), as symfuse's include validation.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", default=os.environ.get("SYMFUSE_ASSIGNMENT_BENCH_DIR",
                                                        os.path.join(tempfile.gettempdir(), "symfuse-assignment-bench")))
    parser.add_argument("--iterations", type=int, default=0, help="timed runs (default: as the TS bench)")
    parser.add_argument("--manifest", default="", help="manifest to read (default: DIR/manifest.json); bench/run.ts writes its own")
    parser.add_argument("--json", default="", help="also write the rows as JSON")
    args = parser.parse_args()
    manifest_path = args.manifest or os.path.join(args.dir, "manifest.json")
    if not os.path.exists(manifest_path):
        print(f"no {manifest_path}: run `node --import tsx bench/assignment.bench.ts` first", file=sys.stderr)
        return 1
    with open(manifest_path) as f:
        manifest = json.load(f)
    print(f"scipy {scipy.__version__}, numpy {np.__version__}")
    header = f"{'case':22} {'symfuse ms':>11} {'scipy ms':>10} {'scipy/symfuse':>14}  totals"
    print(header)
    print("-" * len(header))
    ok = True
    rows = []
    for case in manifest["cases"]:
        n = case["n"]
        c = np.fromfile(os.path.join(args.dir, case["file"]), dtype="<f8").reshape(n, n)
        iterations = args.iterations or case.get("iterations") or 5
        linear_sum_assignment(c, maximize=case["maximize"])  # warm-up
        times = []
        for _ in range(iterations):
            t0 = time.perf_counter()
            r, k = linear_sum_assignment(c, maximize=case["maximize"])
            times.append((time.perf_counter() - t0) * 1000)
        scipy_ms = statistics.median(times)
        total = float(c[r, k].sum())
        ts_total = case.get("total")
        agree = ts_total is not None and abs(total - ts_total) <= 1e-9 * max(1.0, abs(total))
        ok = ok and agree
        ts_ms = case.get("tsMedianMs")
        ratio = f"{scipy_ms / ts_ms:14.2f}" if ts_ms else f"{'-':>14}"
        ts_col = f"{ts_ms:11.3f}" if ts_ms else f"{'-':>11}"
        print(f"{case['name']:22} {ts_col} {scipy_ms:10.3f} {ratio}  {'equal' if agree else f'DIFFER {total} vs {ts_total}'}")
        rows.append({"task": case["name"], "medianMs": scipy_ms, "minMs": min(times), "samples": len(times), "total": total, "totalsAgree": agree})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runtime": f"scipy {scipy.__version__} (numpy {np.__version__})", "rows": rows}, f, indent=1)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
