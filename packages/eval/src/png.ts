/**
 * PNG rasters of our SVG charts, rendered in Node without a browser by resvg (Rust, through the
 * `@resvg/resvg-js` N-API binding with prebuilt binaries).
 *
 * Text is drawn with DejaVu Sans shipped by the `dejavu-fonts-ttf` npm package, and system fonts are
 * not loaded: the raster is then the same on every machine (a Debian CI image without fonts
 * included), and a chart's text can never vanish because a machine lacks a font — resvg draws no
 * glyph at all when no font resolves, silently. The charts' `font-family` list names DejaVu Sans, and
 * the generic `sans-serif` and resvg's default family both map to it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RenderedImage, Resvg as ResvgInstance, ResvgRenderOptions } from '@resvg/resvg-js';

const require = createRequire(import.meta.url);

/** How {@link svgToPng} and {@link svgToRgba} render. */
export interface PngOptions {
  /** Output pixels per SVG user unit (default 1): the raster is `round(width·scale) × round(height·scale)`. */
  readonly scale?: number;
  /**
   * A CSS colour painted under the whole image (e.g. `'#ffffff'`, `'rgba(0,0,0,0)'`); default none
   * (transparent where the SVG draws nothing — our charts draw a white background themselves).
   */
  readonly background?: string;
}

/**
 * An RGBA raster: `rgba` holds `[height, width, 4]` bytes, row-major, with premultiplied alpha (resvg's
 * own buffer) — the same values as the PNG wherever the image is opaque, as our charts are.
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** The font family the rasters use for all text. */
export const PNG_FONT_FAMILY = 'DejaVu Sans';

/** Largest raster side in pixels; beyond it a typo in `scale` would allocate gigabytes. */
export const PNG_MAX_SIDE = 16384;

type ResvgModule = typeof import('@resvg/resvg-js');

let resvgModule: ResvgModule | undefined;
let fontFiles: string[] | undefined;

/** Loads the native binding on first use, so importing `@symfuse/eval` does not load a native addon. */
function resvg(): ResvgModule {
  if (!resvgModule) {
    try {
      resvgModule = require('@resvg/resvg-js') as ResvgModule;
    } catch (e) {
      throw new Error(`svgToPng: cannot load @resvg/resvg-js (its prebuilt binary for ${process.platform}-${process.arch} may be missing; run 'pnpm install'): ${(e as Error).message}`);
    }
  }
  return resvgModule;
}

/**
 * The TrueType files of {@link PNG_FONT_FAMILY} (regular and bold: the charts' titles are bold).
 * @throws Error naming the package and the file when a font cannot be found or read.
 */
export function pngFontFiles(): readonly string[] {
  if (fontFiles) return fontFiles;
  let dir: string;
  try {
    dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch (e) {
    throw new Error(`svgToPng: no font: the npm package dejavu-fonts-ttf (DejaVu Sans, needed to draw chart text) is not installed; run 'pnpm install' (${(e as Error).message})`);
  }
  const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => path.join(dir, f));
  for (const f of files) {
    try {
      fs.accessSync(f, fs.constants.R_OK);
    } catch {
      throw new Error(`svgToPng: no font: ${f} (DejaVu Sans from dejavu-fonts-ttf) is missing or unreadable; chart text cannot be drawn`);
    }
  }
  fontFiles = files;
  return files;
}

function checkedScale(scale: number | undefined): number {
  const s = scale ?? 1;
  if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) throw new RangeError(`svgToPng: scale = ${String(s)}; expected a finite number > 0`);
  return s;
}

/** Parses `svg`, checks the output size and renders; every resvg failure becomes an error that names the input. */
function render(svg: string, options: PngOptions): RenderedImage {
  if (typeof svg !== 'string' || svg.trim() === '') throw new TypeError(`svgToPng: expected an SVG document as a string, got ${typeof svg === 'string' ? 'an empty string' : typeof svg}`);
  const scale = checkedScale(options.scale);
  const renderOptions: ResvgRenderOptions = {
    font: { loadSystemFonts: false, fontFiles: [...pngFontFiles()], defaultFontFamily: PNG_FONT_FAMILY, sansSerifFamily: PNG_FONT_FAMILY },
    fitTo: { mode: 'zoom', value: scale },
    ...(options.background !== undefined ? { background: options.background } : {}),
    logLevel: 'off',
  };
  let doc: ResvgInstance;
  try {
    doc = new (resvg().Resvg)(svg, renderOptions);
  } catch (e) {
    const head = svg.trimStart().slice(0, 60).replace(/\s+/g, ' ');
    throw new Error(`svgToPng: resvg cannot read the SVG (${(e as Error).message}); the input starts with ${JSON.stringify(head)}`);
  }
  const w = Math.round(doc.width * scale);
  const h = Math.round(doc.height * scale);
  if (w > PNG_MAX_SIDE || h > PNG_MAX_SIDE || w < 1 || h < 1) {
    throw new RangeError(`svgToPng: a ${doc.width}×${doc.height} SVG at scale ${scale} gives a ${w}×${h} raster; expected each side in 1 … ${PNG_MAX_SIDE}`);
  }
  try {
    return doc.render();
  } catch (e) {
    // resvg parses `background` only when it paints, and then says just "invalid value".
    const msg = (e as Error).message;
    if (options.background !== undefined && /invalid value/i.test(msg)) throw new Error(`svgToPng: background = ${JSON.stringify(options.background)} is not a CSS colour (resvg: ${msg})`);
    throw new Error(`svgToPng: resvg failed to render a ${w}×${h} raster: ${msg}`);
  }
}

/**
 * Rasterises an SVG document (one of our charts, or any SVG without external images) to PNG bytes:
 * 8-bit RGBA, `round(width·scale) × round(height·scale)` pixels, no time stamp (same input, same bytes).
 * @throws TypeError for a non-string or empty input; RangeError for a bad `scale` or a raster side
 *   over {@link PNG_MAX_SIDE}; Error naming the problem when resvg cannot parse the SVG, `background`
 *   is not a colour, or the font is missing.
 */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const png = render(svg, options).asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Rasterises an SVG document to RGBA pixels (`[height, width, 4]`, premultiplied alpha), the raster
 * {@link svgToPng} encodes: for tests and for callers that post-process pixels. Same errors.
 */
export function svgToRgba(svg: string, options: PngOptions = {}): RgbaImage {
  const img = render(svg, options);
  const px = img.pixels;
  return { width: img.width, height: img.height, rgba: new Uint8Array(px.buffer, px.byteOffset, px.byteLength) };
}
