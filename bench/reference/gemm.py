#!/usr/bin/env python3
"""numpy reference for bench/gemm.bench.ts: the same GEMM shapes, median wall time and GFLOP/s, with
OpenBLAS on 1 thread and on its default thread count (each in a fresh interpreter, because OpenBLAS
reads OPENBLAS_NUM_THREADS once at import).

Run: python3 bench/reference/gemm.py [--quick] [--json out.json]
"""
import json
import os
import statistics
import subprocess
import sys
import time

CASES = [
    # (name, dtype, m, n, k, batch) — mirrors `cases` in bench/gemm.bench.ts
    ("f32 768×768×768", "float32", 768, 768, 768, 1),
    ("f32 [4096,768]·[768,3072]", "float32", 4096, 3072, 768, 1),
    ("f64 768×768×768", "float64", 768, 768, 768, 1),
    ("f32 96× [128,64]·[64,128]", "float32", 128, 128, 64, 96),
]


def child(quick):
    """Times every case in this interpreter; prints one JSON list on stdout."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = []
    for name, dtype, m, n, k, batch in CASES:
        a = (2 * rng.random((batch, m, k)) - 1).astype(dtype)
        b = (2 * rng.random((batch, k, n)) - 1).astype(dtype)
        out = np.empty((batch, m, n), dtype=dtype)

        def run():
            if batch == 1:
                np.matmul(a[0], b[0], out=out[0])
            else:
                np.matmul(a, b, out=out)

        flops = 2.0 * m * n * k * batch
        iterations = 5 if quick else (15 if flops > 5e9 else 50)
        for _ in range(3):
            run()
        samples = []
        for _ in range(iterations):
            t = time.perf_counter()
            run()
            samples.append((time.perf_counter() - t) * 1e3)
        med = statistics.median(samples)
        rows.append({"task": name, "medianMs": med, "gflops": flops / (med * 1e6), "bestGflops": flops / (min(samples) * 1e6), "samples": len(samples)})
    print(json.dumps(rows))


def main():
    quick = "--quick" in sys.argv
    if "--child" in sys.argv:
        child(quick)
        return
    results = []
    for threads in ("1", None):
        env = dict(os.environ)
        if threads is None:
            env.pop("OPENBLAS_NUM_THREADS", None)
            env.pop("OMP_NUM_THREADS", None)
        else:
            env["OPENBLAS_NUM_THREADS"] = threads
        args = [sys.executable, __file__, "--child"] + (["--quick"] if quick else [])
        out = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
        label = f"{threads} thread" if threads else f"default ({os.cpu_count()} cores)"
        for row in json.loads(out):
            row["mode"] = label
            results.append(row)
    import numpy as np

    print(f"numpy {np.__version__}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'task':<30} {'mode':<20} {'median ms':>10} {'GFLOP/s':>9} {'best GFLOP/s':>13}")
    for r in results:
        print(f"{r['task']:<30} {r['mode']:<20} {r['medianMs']:>10.2f} {r['gflops']:>9.1f} {r['bestGflops']:>13.1f}")
    if "--json" in sys.argv:
        with open(sys.argv[sys.argv.index("--json") + 1], "w") as f:
            json.dump({"runtime": f"numpy {np.__version__}", "rows": results}, f, indent=1)


if __name__ == "__main__":
    main()
