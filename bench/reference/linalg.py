#!/usr/bin/env python3
"""numpy reference for bench/linalg.bench.ts: same tasks, bit-identical inputs, median wall time.

Run: python3 bench/reference/linalg.py [--quick] [--json out.json]
Thread count follows OpenBLAS defaults; set OPENBLAS_NUM_THREADS=1 for a single-core comparison.
"""
import json
import statistics
import sys
import time

import numpy as np
import scipy.linalg as sla


def hash_uniform(stream, count):
    """Same arithmetic as hashUniform in linalg.bench.ts (uint32 wrap-around)."""
    i = np.arange(count, dtype=np.uint64)
    base = np.uint64((stream * 0x9E3779B9) & 0xFFFFFFFF)
    x = ((i * np.uint64(0x85EBCA6B) + base) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    x ^= x >> np.uint32(16)
    x = (x.astype(np.uint64) * np.uint64(0x7FEB352D) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    x ^= x >> np.uint32(15)
    x = (x.astype(np.uint64) * np.uint64(0x846CA68B) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    x ^= x >> np.uint32(16)
    return x.astype(np.float64) / 2147483648.0 - 1.0


def uniform_matrix(stream, rows, cols):
    return hash_uniform(stream, rows * cols).reshape(rows, cols)


def spd_matrix(stream, n):
    u = hash_uniform(stream, n * n).reshape(n, n)
    a = 0.5 * (u + u.T)
    a[np.diag_indices(n)] += n
    return a


def checksum(m):
    flat = m.ravel()
    return float(np.sum(flat * ((np.arange(flat.size) % 7) + 1)))


def timeit(fn, iterations, warmup):
    """Median wall time and median process CPU time (all threads), in ms."""
    for _ in range(warmup):
        fn()
    wall = []
    cpu = []
    for _ in range(iterations):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.process_time() - c) * 1e3)
    return statistics.median(wall), statistics.median(cpu), len(wall)


def procrustes(x, y):
    u, _, vh = np.linalg.svd(y @ x.T)
    r = u @ vh
    return r, np.linalg.norm(r @ x - y)


def main():
    quick = "--quick" in sys.argv
    big = 1024 if quick else 3072
    rhs = big // 4
    heads = hash_uniform(1, 144 * 64 * 64).reshape(144, 64, 64)
    sq256 = uniform_matrix(2, 256, 256)
    u = uniform_matrix(3, 256, 256)
    sym256 = 0.5 * (u + u.T)
    spd = spd_matrix(4, big)
    rhs_b = uniform_matrix(5, big, rhs)
    lu = uniform_matrix(6, 512, 512)
    lu_b = uniform_matrix(7, 512, 16)
    px = [uniform_matrix(100 + h, 64, 1538) for h in range(12)]
    py = [uniform_matrix(200 + h, 64, 1538) for h in range(12)]
    print(f"checksums: heads {checksum(heads[143]):.6f} spd {checksum(spd):.3f} rhs {checksum(rhs_b):.6f}", file=sys.stderr)
    chol = sla.cho_factor(spd, lower=True)

    rows = []

    def add(name, fn, iterations, warmup=2):
        med, cpu, n = timeit(fn, iterations, warmup)
        rows.append({"task": name, "medianMs": med, "cpuMedianMs": cpu, "samples": n})

    add("svdBatch 144×[64,64]", lambda: np.linalg.svd(heads), 10)
    add("svd [256,256]", lambda: np.linalg.svd(sq256), 10)
    add("eigh [256,256]", lambda: np.linalg.eigh(sym256), 10)
    add("solve (LU) [512,512]×16", lambda: np.linalg.solve(lu, lu_b), 10)
    add("procrustes 12 heads [64,1538]", lambda: [procrustes(px[h], py[h]) for h in range(12)], 10)
    it = 3 if quick else 4
    add(f"cholesky [{big},{big}]", lambda: np.linalg.cholesky(spd), it, 1)
    add(f"choleskySolve [{big},{big}]×{rhs}", lambda: sla.cho_solve(chol, rhs_b), it, 1)
    add(f"solveSpd [{big},{big}]×{rhs}", lambda: sla.cho_solve(sla.cho_factor(spd, lower=True), rhs_b), it, 1)

    width = max(len(r["task"]) for r in rows)
    for r in rows:
        print(f"{r['task']:<{width}}  {r['medianMs']:10.1f} ms   cpu {r['cpuMedianMs']:10.1f} ms  (n={r['samples']})")
    if "--json" in sys.argv:
        with open(sys.argv[sys.argv.index("--json") + 1], "w") as f:
            json.dump({"runtime": f"numpy {np.__version__}", "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
