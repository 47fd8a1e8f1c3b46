/**
 * PNG rasters of the charts. The PNG bytes are checked with an independent reader written here
 * (chunk layout and CRCs, IHDR, zlib-inflated IDAT with the five PNG row filters undone), and the
 * decoded pixels must equal the raster resvg reports — so the assertions on colours and text below
 * are about the bytes a user gets.
 */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CHART_FONT_FAMILY, lineChart, PNG_MAX_SIDE, seriesColor, svgToPng, svgToRgba } from '../src/index.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface Chunk {
  readonly type: string;
  readonly data: Uint8Array;
}

/** Splits a PNG into chunks, checking the signature and every CRC. */
function chunks(png: Uint8Array): Chunk[] {
  expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    const crc = view.getUint32(at + 8 + len);
    expect(zlib.crc32(png.subarray(at + 4, at + 8 + len)) >>> 0, `CRC of ${type}`).toBe(crc);
    out.push({ type, data });
    at += 12 + len;
  }
  expect(at).toBe(png.length);
  return out;
}

/** IHDR fields. */
function header(png: Uint8Array) {
  const c = chunks(png);
  expect(c[0].type).toBe('IHDR');
  expect(c.at(-1)!.type).toBe('IEND');
  const v = new DataView(c[0].data.buffer, c[0].data.byteOffset, 13);
  return { width: v.getUint32(0), height: v.getUint32(4), bitDepth: v.getUint8(8), colorType: v.getUint8(9), interlace: v.getUint8(12), chunks: c };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes an 8-bit non-interlaced RGB or RGBA PNG to RGBA bytes. */
function decode(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const h = header(png);
  expect(h.bitDepth).toBe(8);
  expect(h.interlace).toBe(0);
  expect([2, 6]).toContain(h.colorType);
  const bpp = h.colorType === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(h.chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = h.width * bpp;
  expect(raw.length).toBe(h.height * (stride + 1));
  const cur = new Uint8Array(h.height * stride);
  for (let y = 0; y < h.height; y++) {
    const filter = raw[y * (stride + 1)];
    if (filter > 4) throw new Error(`row ${y}: unknown PNG filter type ${filter}`);
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[row + i - bpp] : 0;
      const b = y > 0 ? cur[up + i] : 0;
      const c = y > 0 && i >= bpp ? cur[up + i - bpp] : 0;
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      cur[row + i] = (raw[src + i] + pred) & 255;
    }
  }
  if (bpp === 4) return { width: h.width, height: h.height, rgba: cur };
  const rgba = new Uint8Array(h.width * h.height * 4);
  for (let p = 0; p < h.width * h.height; p++) rgba.set([cur[p * 3], cur[p * 3 + 1], cur[p * 3 + 2], 255], p * 4);
  return { width: h.width, height: h.height, rgba };
}

const hexRgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));

/** Pixels of exactly colour `rgb` (opaque). */
function countColor(img: { rgba: Uint8Array }, rgb: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) if (img.rgba[i] === rgb[0] && img.rgba[i + 1] === rgb[1] && img.rgba[i + 2] === rgb[2] && img.rgba[i + 3] === 255) n++;
  return n;
}

/** Dark pixels (each channel < 100) in rows [y0, y1) of the image. */
function darkInRows(img: { width: number; rgba: Uint8Array }, y0: number, y1: number): number {
  let n = 0;
  for (let i = y0 * img.width * 4; i < y1 * img.width * 4; i += 4) if (img.rgba[i] < 100 && img.rgba[i + 1] < 100 && img.rgba[i + 2] < 100 && img.rgba[i + 3] > 200) n++;
  return n;
}

const chart = lineChart({
  title: 'MLM loss along θ(λ) — barrier ‖θ_A − θ_B‖₂',
  xLabel: 'λ',
  yLabel: 'loss',
  series: [
    { name: 'vanilla', x: [0, 0.25, 0.5, 0.75, 1], y: [2, 3, 4, 3, 2] },
    { name: 'aligned', x: [0, 0.25, 0.5, 0.75, 1], y: [2, 2.2, 2.4, 2.2, 2] },
  ],
});

describe('svgToPng', () => {
  it('writes a valid PNG whose IHDR has the SVG size times the scale', () => {
    for (const [scale, w, h] of [
      [1, 720, 420],
      [2, 1440, 840],
      [0.5, 360, 210],
      [1.25, 900, 525],
    ] as const) {
      const hd = header(svgToPng(chart, { scale }));
      expect({ scale, w: hd.width, h: hd.height }).toEqual({ scale, w, h });
      expect(hd.bitDepth).toBe(8);
    }
    // Sizes round to the nearest pixel.
    const odd = '<svg xmlns="http://www.w3.org/2000/svg" width="101" height="51"/>';
    expect(header(svgToPng(odd, { scale: 0.3 }))).toMatchObject({ width: 30, height: 15 });
  });

  it('draws the series colours and the title text, and the PNG holds the raster resvg drew', () => {
    const png = svgToPng(chart);
    const img = decode(png);
    const raster = svgToRgba(chart);
    expect([img.width, img.height]).toEqual([raster.width, raster.height]);
    // The chart is opaque (white background), so premultiplied and straight alpha agree.
    expect(Buffer.from(img.rgba).equals(Buffer.from(raster.rgba))).toBe(true);
    for (const i of [0, 1]) expect(countColor(img, hexRgb(seriesColor(i))), `series ${i} colour ${seriesColor(i)}`).toBeGreaterThan(30);
    expect(countColor(img, hexRgb(seriesColor(2)))).toBe(0);
    // Title band (baseline at y = 22, 15 px bold): glyphs are dark; with the text removed, nothing is.
    expect(darkInRows(img, 6, 28)).toBeGreaterThan(300);
    const noText = chart.replace(/<text\b[^>]*>[^<]*<\/text>/g, '');
    expect(noText).not.toContain('<text');
    expect(darkInRows(decode(svgToPng(noText)), 6, 28)).toBe(0);
  });

  it('finds its font whatever the family list: bold and regular text differ, unknown families fall back', () => {
    const doc = (style: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><rect width="200" height="40" fill="#fff"/><text x="5" y="28" font-size="20" style="${style}">Loss λ</text></svg>`;
    const ink = (svg: string) => darkInRows(svgToRgba(svg), 0, 40);
    const regular = ink(doc(`font-family:${CHART_FONT_FAMILY.replace(/'/g, '')}`));
    const bold = ink(doc(`font-family:${CHART_FONT_FAMILY.replace(/'/g, '')};font-weight:bold`));
    const unknown = ink(doc('font-family:NoSuchFont'));
    expect(regular).toBeGreaterThan(100);
    expect(bold).toBeGreaterThan(regular * 1.15);
    expect(unknown).toBe(regular);
  });

  it('is deterministic: the same SVG gives the same bytes', () => {
    expect(Buffer.from(svgToPng(chart, { scale: 0.5 })).equals(Buffer.from(svgToPng(chart, { scale: 0.5 })))).toBe(true);
  });

  it('paints the background colour under transparent parts', () => {
    const bare = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="4"><rect x="0" y="0" width="4" height="4" fill="#0072B2"/></svg>';
    const clear = decode(svgToPng(bare));
    expect([...clear.rgba.subarray(0, 4)]).toEqual([0, 114, 178, 255]);
    expect([...clear.rgba.subarray(7 * 4, 8 * 4)]).toEqual([0, 0, 0, 0]);
    const filled = decode(svgToPng(bare, { background: '#ff8000' }));
    expect([...filled.rgba.subarray(7 * 4, 8 * 4)]).toEqual([255, 128, 0, 255]);
    expect([...filled.rgba.subarray(0, 4)]).toEqual([0, 114, 178, 255]);
  });

  it('rejects bad input with errors that name it', () => {
    expect(() => svgToPng('<svg')).toThrow(/svgToPng: resvg cannot read the SVG .*starts with "<svg"/);
    expect(() => svgToPng('not xml at all')).toThrow(/cannot read the SVG .*"not xml at all"/);
    expect(() => svgToPng('')).toThrow(/expected an SVG document as a string, got an empty string/);
    expect(() => svgToPng(chart, { scale: 0 })).toThrow(/scale = 0; expected a finite number > 0/);
    expect(() => svgToPng(chart, { scale: Number.NaN })).toThrow(/scale = NaN/);
    expect(() => svgToPng(chart, { scale: 100 })).toThrow(new RegExp(`720×420 SVG at scale 100 gives a 72000×42000 raster; expected each side in 1 … ${PNG_MAX_SIDE}`));
    expect(() => svgToPng(chart, { background: 'not-a-colour' })).toThrow(/background = "not-a-colour" is not a CSS colour/);
  });
});
