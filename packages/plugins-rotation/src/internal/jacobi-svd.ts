/**
 * One-sided Jacobi (Hestenes) SVD of a small square matrix: the stand-in for `@symfuse/tensor`'s
 * `svd` while that is not exported (see `tensor-linalg.ts`). One-sided Jacobi is chosen because it is
 * short, needs no shifts or deflation logic, and is accurate to a few ulps in the singular vectors of
 * the well-separated values that matter for Procrustes; `d_k ≤ 128` keeps its O(n³) sweeps cheap.
 */

/** `A = U diag(S) Vᵀ` of a square matrix, U and V orthogonal (`[n, n]` row-major), S unsorted ≥ 0. */
export interface SquareSvd {
  readonly U: Float64Array;
  readonly S: Float64Array;
  readonly V: Float64Array;
}

const MAX_SWEEPS = 80;

/**
 * SVD of a square `[n, n]` row-major matrix by cyclic one-sided Jacobi rotations on its columns.
 * Columns whose singular value vanishes get left vectors completing an orthonormal basis, so `U` is
 * always orthogonal (what the polar factor needs for rank-deficient inputs).
 * @throws Error naming the size when an entry is not finite.
 */
export function jacobiSvdSquare(a: Float64Array, n: number): SquareSvd {
  if (a.length !== n * n) throw new Error(`jacobiSvdSquare: got ${a.length} entries for an [${n}, ${n}] matrix`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`jacobiSvdSquare: entry (${Math.floor(i / n)}, ${i % n}) of the [${n}, ${n}] matrix is ${a[i]}; expected finite`);
  }
  // Work on Aᵀ (rows = columns of A) and Vᵀ so every rotation streams over contiguous memory.
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[j * n + i] = a[i * n + j];
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  const eps = 2.220446049250313e-16;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const rp = p * n;
      for (let q = p + 1; q < n; q++) {
        const rq = q * n;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let k = 0; k < n; k++) {
          const x = w[rp + k];
          const y = w[rq + k];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let k = 0; k < n; k++) {
          const x = w[rp + k];
          const y = w[rq + k];
          w[rp + k] = c * x - s * y;
          w[rq + k] = s * x + c * y;
          const vx = vt[rp + k];
          const vy = vt[rq + k];
          vt[rp + k] = c * vx - s * vy;
          vt[rq + k] = s * vx + c * vy;
        }
      }
    }
    if (!rotated) break;
  }
  const S = new Float64Array(n);
  let smax = 0;
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let k = 0; k < n; k++) ss += w[j * n + k] ** 2;
    S[j] = Math.sqrt(ss);
    smax = Math.max(smax, S[j]);
  }
  // Left vectors u_j = A v_j / σ_j (rows of w scaled); vanishing ones are completed below.
  const ut = new Float64Array(n * n);
  const tiny = smax * n * eps;
  const missing: number[] = [];
  for (let j = 0; j < n; j++) {
    if (S[j] > tiny && S[j] > 0) for (let k = 0; k < n; k++) ut[j * n + k] = w[j * n + k] / S[j];
    else {
      S[j] = 0;
      missing.push(j);
    }
  }
  completeOrthonormal(ut, n, missing);
  const U = new Float64Array(n * n);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      U[i * n + j] = ut[j * n + i];
      V[i * n + j] = vt[j * n + i];
    }
  }
  return { U, S, V };
}

/**
 * Fills rows `missing` of `rows` (`[n, n]`, the other rows orthonormal) with an orthonormal completion:
 * for each, the standard basis vector with the largest component outside the filled rows (at least
 * 1/√n of it survives, so the normalisation is safe), projected twice for accuracy.
 */
function completeOrthonormal(rows: Float64Array, n: number, missing: readonly number[]): void {
  if (missing.length === 0) return;
  const filled = new Uint8Array(n).fill(1);
  for (const j of missing) filled[j] = 0;
  const cand = new Float64Array(n);
  const best = new Float64Array(n);
  const project = (v: Float64Array) => {
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r < n; r++) {
        if (!filled[r]) continue;
        let dot = 0;
        for (let k = 0; k < n; k++) dot += rows[r * n + k] * v[k];
        for (let k = 0; k < n; k++) v[k] -= dot * rows[r * n + k];
      }
    }
  };
  for (const j of missing) {
    let bestNorm = -1;
    for (let e = 0; e < n; e++) {
      cand.fill(0);
      cand[e] = 1;
      project(cand);
      let norm = 0;
      for (let k = 0; k < n; k++) norm += cand[k] * cand[k];
      if (norm > bestNorm) {
        bestNorm = norm;
        best.set(cand);
      }
    }
    const inv = 1 / Math.sqrt(bestNorm);
    for (let k = 0; k < n; k++) rows[j * n + k] = best[k] * inv;
    filled[j] = 1;
  }
}
