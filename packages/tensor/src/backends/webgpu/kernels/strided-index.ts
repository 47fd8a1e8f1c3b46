/**
 * N-dimensional strided index spaces in WGSL programs (strided copies, broadcasting binaries): the
 * dimensions `d0 … d{R−1}` and, per operand, strides `<prefix>0 … <prefix>{R−1}` live in uniforms
 * (R = {@link MAX_STRIDED_RANK}, smaller spaces padded with leading unit dimensions), and a linear
 * index is turned into each operand's element offset by one mixed-radix walk.
 */

/** Most dimensions a strided program handles (after collapsing, see `collapseAxes`). */
export const MAX_STRIDED_RANK = 6;

/** Uniform fields of a strided space over operands with stride prefixes `prefixes`: the dims, then each operand's strides. */
export function stridedFields(prefixes: readonly string[]): Record<string, 'u32'> {
  const fields: Record<string, 'u32'> = {};
  for (const p of ['d', ...prefixes]) for (let k = 0; k < MAX_STRIDED_RANK; k++) fields[`${p}${k}`] = 'u32';
  return fields;
}

/**
 * WGSL statements adding to each `offsets[t]` (a `var` the caller declared with the operand's base)
 * the offset along strides `prefixes[t]` of the linear index held in the `var rem` (consumed).
 */
export function wgslStridedOffsets(prefixes: readonly string[], offsets: readonly string[]): string {
  const lines: string[] = [];
  for (let k = MAX_STRIDED_RANK - 1; k >= 0; k--) {
    const adds = prefixes.map((p, t) => `${offsets[t]} += c * u.${p}${k};`).join(' ');
    lines.push(`{ let c = rem % u.d${k}; ${adds} rem = rem / u.d${k}; }`);
  }
  return lines.join('\n  ');
}

/**
 * Adds to `values` the uniform values of a space of `dims` with one stride array per prefix, padded
 * with leading unit dimensions (stride 0). The caller has checked `dims.length ≤ MAX_STRIDED_RANK`.
 */
export function stridedValues(
  values: Record<string, number>, prefixes: readonly string[], dims: readonly number[], strides: readonly (readonly number[])[],
): Record<string, number> {
  const pad = MAX_STRIDED_RANK - dims.length;
  for (let k = 0; k < MAX_STRIDED_RANK; k++) {
    values[`d${k}`] = k < pad ? 1 : dims[k - pad];
    prefixes.forEach((p, t) => (values[`${p}${k}`] = k < pad ? 0 : strides[t][k - pad]));
  }
  return values;
}
