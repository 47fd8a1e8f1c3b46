/**
 * A minimal SVG writer: escaped text and attributes, compact numbers, and a document wrapper with an
 * accessible `<title>`. Output is plain XML (no browser, no DOM), valid as a standalone `.svg` file.
 */

/** Escapes text for XML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;'));
}

/** A coordinate with at most two decimals (smaller files, stable output). */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`svg: coordinate ${n} is not finite`);
  const r = Math.round(n * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Attribute values: numbers become coordinates, `undefined` drops the attribute. */
export type Attrs = Readonly<Record<string, string | number | undefined>>;

/** `<name attrs>children</name>` (self-closing without children). Text children must be escaped by the caller. */
export function el(name: string, attrs: Attrs = {}, children?: string | readonly string[]): string {
  let a = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    a += ` ${k}="${typeof v === 'number' ? fmt(v) : esc(v)}"`;
  }
  const body = children === undefined ? undefined : typeof children === 'string' ? children : children.join('');
  return body === undefined || body === '' ? `<${name}${a}/>` : `<${name}${a}>${body}</${name}>`;
}

/** `<text>` with escaped content. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, esc(content));
}

/** The charts' CSS `font-family` list: it resolves to DejaVu Sans on Debian and in `svgToPng`. */
export const CHART_FONT_FAMILY = "Helvetica,Arial,'DejaVu Sans',sans-serif";

/** A complete SVG document of `width × height` with a `<title>` (and `<desc>`). */
export function svgDocument(o: { width: number; height: number; title: string; desc?: string; body: readonly string[] }): string {
  const head = el('title', {}, esc(o.title)) + (o.desc ? el('desc', {}, esc(o.desc)) : '');
  // DejaVu Sans is what `svgToPng` rasterises with (bundled) and Debian's default sans; browsers
  // elsewhere take Helvetica or Arial first.
  const style = el('style', {}, `text{font-family:${CHART_FONT_FAMILY};fill:#222}.axis line,.axis path{stroke:#555}.grid line{stroke:#e3e3e3}`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width: o.width, height: o.height, viewBox: `0 0 ${fmt(o.width)} ${fmt(o.height)}`, role: 'img' },
    [head, style, el('rect', { x: 0, y: 0, width: o.width, height: o.height, fill: '#ffffff' }), ...o.body],
  )}\n`;
}
