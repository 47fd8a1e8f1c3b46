/**
 * A linear scan of JSON text for the two things `JSON.parse` silently loses: duplicate object keys
 * (it keeps the last) and integers beyond 2^53 − 1 (it rounds them). Run it on text that `JSON.parse`
 * has already accepted, so the scanner can assume well-formed input; it is iterative (an explicit stack),
 * so deep nesting cannot overflow the call stack.
 */

/** What the scan found wrong, or `undefined` when the text is clean. */
export interface JsonScanProblem {
  readonly kind: 'duplicate-key' | 'unsafe-integer' | 'non-integer';
  /** The duplicated key (decoded) or the number's exact text. */
  readonly value: string;
  /** Key path of the containing object, from the root, e.g. `['weight', 'shape']`. */
  readonly path: readonly string[];
}

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER); // "9007199254740991"

/** True when the digits of an integer literal (no sign) exceed 2^53 − 1. */
function digitsExceedSafe(digits: string): boolean {
  if (digits.length !== MAX_SAFE_DIGITS.length) return digits.length > MAX_SAFE_DIGITS.length;
  return digits > MAX_SAFE_DIGITS;
}

interface Frame {
  readonly isObject: boolean;
  readonly keys: Set<string> | undefined;
  /** Key under which this container sits in its parent (for paths). */
  readonly name: string;
  expectKey: boolean;
  lastKey: string;
}

/**
 * Scans well-formed JSON `text`; returns the first problem found. With `integersOnly`, any number
 * written with a fraction or an exponent (`1.5`, `1.0`, `1e3`) is a problem too.
 */
export function scanJson(text: string, integersOnly = false): JsonScanProblem | undefined {
  const stack: Frame[] = [];
  const path = (): string[] => {
    const p: string[] = [];
    for (let k = 1; k < stack.length; k++) p.push(stack[k].name);
    return p;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = stack[stack.length - 1];
      const name = parent === undefined ? '' : parent.isObject ? parent.lastKey : '[]';
      const isObject = c === 0x7b;
      stack.push({ isObject, keys: isObject ? new Set() : undefined, name, expectKey: isObject, lastKey: '' });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.isObject) top.expectKey = true;
      i++;
    } else if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (top?.isObject && top.expectKey) {
        const raw = text.slice(i + 1, j);
        // Decode escapes so that "a" and "\u0061" count as the same key.
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        if (top.keys!.has(key)) return { kind: 'duplicate-key', value: key, path: path() };
        top.keys!.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
      i = j + 1;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i;
      let isInteger = true;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x2e || d === 0x65 || d === 0x45) isInteger = false;
        else if (!(d === 0x2d || d === 0x2b || (d >= 0x30 && d <= 0x39))) break;
        j++;
      }
      const token = text.slice(i, j);
      if (integersOnly && !isInteger) return { kind: 'non-integer', value: token, path: path() };
      const unsafe = isInteger
        ? digitsExceedSafe(token.charCodeAt(0) === 0x2d ? token.slice(1) : token)
        : Number.isInteger(Number(token)) && Math.abs(Number(token)) > Number.MAX_SAFE_INTEGER;
      if (unsafe) return { kind: 'unsafe-integer', value: token, path: path() };
      i = j;
    } else {
      i++; // whitespace, ':', true, false, null
    }
  }
  return undefined;
}
