/**
 * Well-formedness check of generated SVG (an independent XML parser, not our writer), used before a
 * report writes a plot and by tests that inspect plots: the document must parse as XML with an
 * `<svg>` root in the SVG namespace.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A parsed element: its name, attributes and child elements (text omitted). */
export interface SvgNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly SvgNode[];
}

type Ordered = Record<string, unknown>[];

function toNodes(items: Ordered): SvgNode[] {
  const out: SvgNode[] = [];
  for (const item of items) {
    const name = Object.keys(item).find((k) => k !== ':@');
    if (!name || name === '#text' || name.startsWith('?')) continue;
    const rawAttrs = (item[':@'] ?? {}) as Record<string, unknown>;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawAttrs)) attrs[k.replace(/^@_/, '')] = String(v);
    out.push({ name, attrs, children: toNodes((item[name] ?? []) as Ordered) });
  }
  return out;
}

/**
 * Parses `svg` and returns its root element.
 * @throws Error naming the line and the problem when the text is not well-formed XML, or the root
 *   is not an `<svg>` element in the SVG namespace.
 */
export function parseSvg(svg: string): SvgNode {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`parseSvg: not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  const parser = new XMLParser({ ignoreAttributes: false, preserveOrder: true, attributeNamePrefix: '@_', parseAttributeValue: false, processEntities: true });
  const roots = toNodes(parser.parse(svg) as Ordered);
  const root = roots.find((n) => n.name === 'svg');
  if (!root) throw new Error(`parseSvg: the root element is ${roots.map((r) => `<${r.name}>`).join(', ') || 'missing'}; expected <svg>`);
  if (root.attrs.xmlns !== 'http://www.w3.org/2000/svg') throw new Error(`parseSvg: <svg> has xmlns ${JSON.stringify(root.attrs.xmlns)}; expected "http://www.w3.org/2000/svg"`);
  return root;
}

/** Every element of the tree (depth first) that satisfies `pred`. */
export function findAll(node: SvgNode, pred: (n: SvgNode) => boolean): SvgNode[] {
  const out: SvgNode[] = [];
  const walk = (n: SvgNode) => {
    if (pred(n)) out.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}

/** The `data-series` names of a chart's series groups, in drawing order. */
export function seriesNames(svg: string | SvgNode): string[] {
  const root = typeof svg === 'string' ? parseSvg(svg) : svg;
  return findAll(root, (n) => n.name === 'g' && /(^| )series( |$)/.test(n.attrs.class ?? '')).map((n) => n.attrs['data-series']);
}
