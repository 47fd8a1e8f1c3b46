#!/usr/bin/env python3
"""numpy reference for the kernel suites of bench/run.ts (layerNorm, attention, covariance), at the same
BERT-base sizes and dtypes: median wall time over timed runs after warm-up, with OpenBLAS on its default
thread count. Inputs are uniform [-1, 1) from numpy's own generator (only the shapes and dtypes matter for
timing these kernels).

Run: python3 bench/reference/kernels.py [--quick] [--json out.json]

What each task computes (the symfuse side in parentheses):
- layerNorm [4096,768] f32: (x - mean) / sqrt(var + eps) * gamma + beta per row  (layerNorm)
- attention [B,H,T,dk] f32: softmax(Q K^T / sqrt(dk)) V                          (attention, fused)
- centeredCross f32 [4096,768]: (X - mx)^T (Y - my)                                (centeredCross kernel)
- CrossMoments f64 [4096,p]: means, centred squares and the f64 centred cross product of f32 features
  converted to f64, as the correlation collector accumulates one batch            (CrossMoments.updateArrays)
- Gram f64 [4096,3072]: X^T X in f64 of f32 features                             (Gram collector, one site)
"""
import json
import os
import statistics
import sys
import time

import numpy as np

EPS = 1e-12


def timeit(fn, iterations, warmup=1):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1e3)
    return statistics.median(samples), min(samples), len(samples)


def layer_norm(x, g, b):
    mean = x.mean(axis=1, keepdims=True)
    xc = x - mean
    var = np.mean(xc * xc, axis=1, keepdims=True)
    return xc / np.sqrt(var + EPS) * g + b


def attention(q, k, v):
    s = np.matmul(q, np.swapaxes(k, -1, -2))
    s *= np.float32(1.0 / np.sqrt(q.shape[-1]))
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=-1, keepdims=True)
    return np.matmul(s, v)


def cross_moments(x32, y32):
    x = x32.astype(np.float64)
    y = y32.astype(np.float64)
    mx = x.mean(axis=0)
    my = y.mean(axis=0)
    xc = x - mx
    yc = y - my
    m2x = np.einsum("ij,ij->j", xc, xc)
    m2y = np.einsum("ij,ij->j", yc, yc)
    return xc.T @ yc, m2x, m2y


def main():
    quick = "--quick" in sys.argv
    rng = np.random.default_rng(0)

    def uniform(*shape):
        return (2 * rng.random(shape, dtype=np.float32) - 1).astype(np.float32)

    rows = []

    def add(task, fn, iterations, gflop=None, gbytes=None):
        med, best, n = timeit(fn, 1 if quick and iterations <= 3 else (3 if quick else iterations))
        row = {"task": task, "medianMs": med, "minMs": best, "samples": n}
        if gflop is not None:
            row["gflops"] = gflop / (med / 1e3)
        if gbytes is not None:
            row["gbps"] = gbytes / (med / 1e3)
        rows.append(row)

    tokens, d, dff = 4096, 768, 3072
    x = uniform(tokens, d)
    g = uniform(d)
    b = uniform(d)
    add("layerNorm [4096,768]", lambda: layer_norm(x, g, b), 20, gbytes=2 * tokens * d * 4 / 1e9)
    for shape in ((32, 12, 128, 64), (8, 12, 512, 64)):
        q, k, v = uniform(*shape), uniform(*shape), uniform(*shape)
        bb, h, t, dk = shape
        add(f"attention [{','.join(map(str, shape))}]", lambda q=q, k=k, v=v: attention(q, k, v), 10, gflop=4 * bb * h * t * t * dk / 1e9)
    y = uniform(tokens, d)
    mx = uniform(d)
    my = uniform(d)
    add("centeredCross f32 [4096,768]", lambda: (x - mx).T @ (y - my), 10, gflop=2 * tokens * d * d / 1e9)
    add("CrossMoments f64 [4096,768]", lambda: cross_moments(x, y), 10, gflop=2 * tokens * d * d / 1e9)
    xf = uniform(tokens, dff)
    yf = uniform(tokens, dff)
    add("CrossMoments f64 [4096,3072]", lambda: cross_moments(xf, yf), 3, gflop=2 * tokens * dff * dff / 1e9)
    add("Gram f64 [4096,3072]", lambda: (lambda x64: x64.T @ x64)(xf.astype(np.float64)), 3, gflop=2 * tokens * dff * dff / 1e9)

    print(f"numpy {np.__version__}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}", file=sys.stderr)
    for r in rows:
        extra = f"  {r['gflops']:.1f} GFLOP/s" if "gflops" in r else (f"  {r['gbps']:.1f} GB/s" if "gbps" in r else "")
        print(f"{r['task']:<32} {r['medianMs']:10.2f} ms{extra}")
    if "--json" in sys.argv:
        with open(sys.argv[sys.argv.index("--json") + 1], "w") as f:
            json.dump({"runtime": f"numpy {np.__version__}", "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
