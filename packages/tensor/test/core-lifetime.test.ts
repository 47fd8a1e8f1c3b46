/** Tensor lifetime: reshape views share storage with a reference count; tidy/keep scope disposal. */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DisposedError, add, getBackend, keep, matmul, mul, tensor, tidy, zeros } from '../src/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reshape views', () => {
  it('share storage, count references and release only when the last view is disposed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (shape, views) => {
        const backend = getBackend('cpu');
        const release = vi.spyOn(backend, 'release');
        const n = shape.reduce((p, d) => p * d, 1);
        const base = tensor(Float32Array.from({ length: n }, (_, i) => i), shape);
        const made = Array.from({ length: views }, (_, i) => base.reshape(i % 2 === 0 ? [n] : [-1, 1]));
        for (const v of made) expect(v.storage).toBe(base.storage);
        expect(base.storage.refCount).toBe(views + 1);
        base.dispose();
        base.dispose(); // idempotent: must not decrement twice
        expect(base.storage.refCount).toBe(views);
        expect(release).not.toHaveBeenCalled();
        // The views still read the data after the original is gone.
        expect(Array.from(made[0].dataSync())).toEqual(Array.from({ length: n }, (_, i) => i));
        for (const v of made) v.dispose();
        expect(base.storage.refCount).toBe(0);
        expect(release).toHaveBeenCalledTimes(1);
        expect(release).toHaveBeenCalledWith(base.storage);
        release.mockRestore();
      }),
      { numRuns: 30 },
    );
  });

  it('rejects shapes with another element count, naming both shapes', () => {
    const t = zeros([2, 3]);
    expect(() => t.reshape([4, 2])).toThrow(/reshape.*\[2, 3\].*\[4, 2\]/);
    expect(() => t.reshape([-1, -1])).toThrow(/more than one -1/);
    expect(() => t.reshape([5, -1])).toThrow(/cannot reshape \[2, 3\]/);
  });

  it('a disposed tensor cannot be reshaped, read or used by an op', () => {
    const t = tensor([1, 2, 3]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.reshape([3, 1])).toThrow(DisposedError);
    expect(() => t.dataSync()).toThrow(/dataSync: tensor #\d+ \[3\] was disposed/);
    expect(() => add(t, t)).toThrow(/binary: tensor #\d+ \[3\] was disposed/);
  });
});

describe('tidy', () => {
  it('disposes intermediates and keeps the results (arrays, objects, Maps)', () => {
    const x = tensor([[1, 2], [3, 4]]);
    const made: ReturnType<typeof add>[] = [];
    const result = tidy(() => {
      const a = add(x, x);
      const b = mul(a, a);
      const c = matmul(b, a);
      made.push(a, b, c);
      return { c, list: [b], map: new Map([['a', a]]) };
    });
    expect(made.every((t) => !t.isDisposed)).toBe(true);
    const only = tidy(() => {
      const a = add(x, x);
      const b = mul(a, a);
      made.push(a, b);
      return b;
    });
    expect(made[3].isDisposed).toBe(true);
    expect(only.isDisposed).toBe(false);
    expect(Array.from(only.dataSync())).toEqual([4, 16, 36, 64]);
    expect(x.isDisposed).toBe(false); // created outside: not tidy's to dispose
    expect(result.c.isDisposed).toBe(false);
  });

  it('keep() survives the scope; nested scopes hand results to the parent', () => {
    let kept!: ReturnType<typeof zeros>;
    let inner!: ReturnType<typeof zeros>;
    let dropped!: ReturnType<typeof zeros>;
    tidy(() => {
      kept = keep(zeros([2]));
      inner = tidy(() => {
        dropped = zeros([3]);
        return zeros([1]);
      });
      expect(dropped.isDisposed).toBe(true);
      expect(inner.isDisposed).toBe(false);
      return undefined;
    });
    expect(kept.isDisposed).toBe(false);
    expect(inner.isDisposed).toBe(true); // returned to the outer scope, which did not return it
  });

  it('disposes everything when the function throws, and refuses async functions', () => {
    let t!: ReturnType<typeof zeros>;
    expect(() =>
      tidy(() => {
        t = zeros([4]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(t.isDisposed).toBe(true);
    expect(() => tidy(() => Promise.resolve(1))).toThrow(/tidy.*Promise/);
  });

  it('a view returned from tidy keeps the storage alive while its parent is disposed', () => {
    const backend = getBackend('cpu');
    const release = vi.spyOn(backend, 'release');
    const view = tidy(() => add(tensor([1, 2, 3, 4]), tensor([1, 1, 1, 1])).reshape([2, 2]));
    expect(view.storage.refCount).toBe(1);
    expect(release).not.toHaveBeenCalledWith(view.storage);
    expect(view.toNested()).toEqual([[2, 3], [4, 5]]);
  });
});
