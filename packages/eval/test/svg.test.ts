import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barChart, findAll, heatmap, lineChart, niceTicks, parseSvg, seriesNames } from '../src/index.js';

describe('SVG charts', () => {
  it('line chart: valid XML, one named group per series, a legend entry each, escaped names', () => {
    const svg = lineChart({
      title: 'Loss <vanilla & aligned>',
      xLabel: 'λ',
      yLabel: 'loss',
      series: [
        { name: 'vanilla "A" & B', x: [0, 0.5, 1], y: [1, 3, 1], dashed: true },
        { name: 'aligned', x: [0, 0.5, 1], y: [1, 1.5, Number.NaN] },
      ],
    });
    const root = parseSvg(svg);
    expect(seriesNames(root)).toEqual(['vanilla "A" & B', 'aligned']);
    const legend = findAll(root, (n) => n.attrs.class === 'legend-entry').map((n) => n.attrs['data-series']);
    expect(legend).toEqual(['vanilla "A" & B', 'aligned']);
    // The NaN point is skipped: the second series has two markers.
    const aligned = findAll(root, (n) => n.attrs['data-series'] === 'aligned' && n.attrs.class === 'series')[0];
    expect(aligned.children.filter((c) => c.name === 'circle')).toHaveLength(2);
  });

  it('bar chart: valid XML with a rect per finite value', () => {
    const svg = barChart({ title: 'per layer', xLabel: 'layer', yLabel: 'corr', categories: ['0', '1', '2'], series: [{ name: 'before', values: [0.1, -0.2, 0.3] }, { name: 'after', values: [0.5, Number.NaN, 0.7] }] });
    const root = parseSvg(svg);
    expect(seriesNames(root)).toEqual(['before', 'after']);
    const after = findAll(root, (n) => n.attrs['data-series'] === 'after')[0];
    expect(after.children.filter((c) => c.name === 'rect')).toHaveLength(2);
  });

  it('heatmap: valid XML, panels share one colour bar, large matrices show their leading block', () => {
    const n = 80;
    const m = new Float64Array(n * n).map((_, i) => (i % (n + 1) === 0 ? 1 : -0.1));
    const svg = heatmap({ title: 'corr', rows: n, cols: n, min: -1, max: 1, panels: [{ title: 'before', values: m }, { title: 'after', values: m }] });
    const root = parseSvg(svg);
    const panels = findAll(root, (x) => x.attrs.class === 'panel');
    expect(panels.map((p) => p.attrs['data-panel'])).toEqual(['before', 'after']);
    const cells = findAll(panels[0], (x) => x.attrs.class === 'cells')[0];
    expect(cells.children).toHaveLength(64 * 64);
    expect(findAll(root, (x) => x.attrs.class === 'colorbar')).toHaveLength(1);
    expect(svg).toContain('leading 64×64 block of 80×80');
  });

  it('rejects mismatched series lengths', () => {
    expect(() => lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [0, 1], y: [1] }] })).toThrow(/series 's' has 2 x values and 1 y values/);
    expect(() => heatmap({ title: 't', rows: 2, cols: 2, panels: [{ title: 'p', values: [1, 2, 3] }] })).toThrow(/3 values for \[2, 2\]/);
  });

  it('parseSvg rejects malformed documents', () => {
    expect(() => parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow(/not well-formed/);
    expect(() => parseSvg('<html></html>')).toThrow(/expected <svg>/);
  });

  it('niceTicks cover the range with evenly spaced ticks', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: 1e-3, max: 1e4, noNaN: true }), (lo, span) => {
        const r = niceTicks(lo, lo + span, 5);
        expect(r.min).toBeLessThanOrEqual(lo + 1e-6 * span);
        expect(r.max).toBeGreaterThanOrEqual(lo + span - 1e-6 * span);
        expect(r.ticks.length).toBeGreaterThanOrEqual(2);
        expect(r.ticks.length).toBeLessThanOrEqual(15);
      }),
    );
  });
});
