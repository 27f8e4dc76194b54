/**
 * The JSX runtime of every page (tsconfig `jsxImportSource: "#jsx"`, package.json `imports`): an element is turned
 * into its HTML when it is created, as hono's own JSX types already describe it (`JSX.Element` is an escaped string
 * or a promise of one), with hono's escaping and its rules for attributes. Why not hono/jsx's renderer: since 4.13 it
 * renders every page inside `AsyncLocalStorage.run`, which on Node 20 installs promise hooks for the whole process —
 * every promise of every request then pays for them (measured: 10–20 % fewer pages a second; decision 0034). We use
 * none of what that storage is for (`useContext` across `await`). Text and attribute values are escaped; what is
 * already escaped (an element, hono's `raw`/`html`) is kept as it is.
 */
import type { Child } from 'hono/jsx';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { escapeToBuffer } from 'hono/utils/html';

export type { JSX };

/** Elements with no closing tag (hono's list). */
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

/** Attributes whose presence is their value: `true` writes `name=""`, `false` nothing (hono's list). */
const BOOLEAN = new Set([
  'allowfullscreen',
  'async',
  'autofocus',
  'autoplay',
  'checked',
  'controls',
  'default',
  'defer',
  'disabled',
  'download',
  'formnovalidate',
  'hidden',
  'inert',
  'ismap',
  'itemscope',
  'loop',
  'multiple',
  'muted',
  'nomodule',
  'novalidate',
  'open',
  'playsinline',
  'readonly',
  'required',
  'reversed',
  'selected',
  'shadowrootclonable',
  'shadowrootdelegatesfocus',
  'shadowrootserializable',
]);

/** React's spellings hono accepts. */
const RENAMED = new Map([
  ['className', 'class'],
  ['htmlFor', 'for'],
  ['crossOrigin', 'crossorigin'],
  ['httpEquiv', 'http-equiv'],
  ['itemProp', 'itemprop'],
  ['fetchPriority', 'fetchpriority'],
  ['noModule', 'nomodule'],
  ['formAction', 'formaction'],
]);

/** A tag or attribute name that cannot break out of its place (hono's rule: no space, quote, <, >, /, =, `, \ or control). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what a name must not hold
const UNSAFE_NAME = /[\s"'<>/=`\\\x00-\x1f\x7f-\x9f]/;
const safeNames = new Set<string>();
function isSafeName(name: string): boolean {
  if (safeNames.has(name)) return true;
  if (name.length === 0 || UNSAFE_NAME.test(name)) return false;
  if (safeNames.size < 2048) safeNames.add(name);
  return true;
}

/**
 * What an element becomes: its HTML, marked as escaped the way hono marks it (`isEscaped`), so c.html(), hono's
 * `html` template and our own children take it as it is. A class rather than hono's String object: reading the HTML
 * back is a field, not a String wrapper's conversion, for every element of every page.
 */
class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}
Object.defineProperty(Html.prototype, 'isEscaped', { value: true });

const isHonoEscaped = (v: object): boolean => (v as { isEscaped?: unknown }).isEscaped === true;

type Pending = { html: string[]; waits: Array<[number, Promise<unknown>]> };

/** A child's HTML added to `acc`; a child still to come (a promise) is noted in `pending` at its place. */
function addChild(child: unknown, acc: string, pending: Pending | null): [string, Pending | null] {
  if (typeof child === 'string') {
    if (child.length === 0) return [acc, pending];
    const out: [string] = [acc];
    escapeToBuffer(child, out);
    return [out[0], pending];
  }
  if (child === null || child === undefined || typeof child === 'boolean') return [acc, pending];
  if (child instanceof Html) return [acc + child.html, pending];
  if (typeof child === 'number') return [acc + child, pending];
  if (Array.isArray(child)) {
    for (let i = 0; i < child.length; i++) [acc, pending] = addChild(child[i], acc, pending);
    return [acc, pending];
  }
  if (child instanceof Promise) {
    const p = pending ?? { html: [], waits: [] };
    p.html.push(acc);
    p.waits.push([p.html.length, child]);
    p.html.push('');
    return ['', p];
  }
  if (typeof child === 'object' && isHonoEscaped(child)) return [acc + String(child), pending];
  // Any other object is read as hono reads it, as a list of children by its length: a Date or a plain object writes
  // nothing (never its toString()).
  const list = child as { length?: unknown; [i: number]: unknown };
  if (typeof child === 'object' && typeof list.length === 'number') {
    for (let i = 0; i < list.length; i++) [acc, pending] = addChild(list[i], acc, pending);
  }
  return [acc, pending];
}

/** The children's HTML, or its promise when one of them is still to come (an async component). */
function renderChildren(children: unknown): string | Promise<string> {
  const [html, pending] = addChild(children, '', null);
  if (!pending) return html;
  pending.html.push(html);
  return Promise.all(
    pending.waits.map(async ([i, p]) => {
      pending.html[i] = await renderChildren(await p);
    }),
  ).then(() => pending.html.join(''));
}

/** Per attribute name as written: the name to write, or null for one that could break out of its place. */
const names = new Map<string, string | null>();
function nameOf(given: string): string | null {
  let name = names.get(given);
  if (name === undefined) {
    const renamed = RENAMED.get(given) ?? given;
    name = isSafeName(renamed) ? renamed : null;
    if (names.size < 2048) names.set(given, name);
  }
  return name;
}

function attributes(props: Record<string, unknown>, tag: string): string {
  let acc = '';
  // Own keys only: a key inherited from a polluted prototype must not become an attribute of every element.
  for (const given of Object.keys(props)) {
    if (given === 'children' || given === 'key' || given === 'ref') continue;
    const v = props[given];
    if (v === null || v === undefined) continue;
    const key = nameOf(given);
    if (key === null) continue;
    if (typeof v === 'string') {
      const out: [string] = [`${acc} ${key}="`];
      escapeToBuffer(v, out);
      acc = `${out[0]}"`;
    } else if (typeof v === 'number') {
      acc += ` ${key}="${v}"`;
    } else if (typeof v === 'boolean' && BOOLEAN.has(key)) {
      if (v) acc += ` ${key}=""`;
    } else if (typeof v === 'function') {
      if (!key.startsWith('on')) throw new Error(`Invalid prop '${key}' of type 'function' supplied to '${tag}'.`);
    } else if (v instanceof Promise || (key === 'style' && typeof v === 'object' && !(v instanceof String))) {
      // hono writes these (an awaited value, a style object); no page passes one, so they are refused, not guessed.
      throw new Error(`jsx: attribute '${key}' of '${tag}' is a ${v instanceof Promise ? 'promise' : 'style object'}`);
    } else if (v instanceof String && isHonoEscaped(v)) {
      // hono's raw() as a value: trusted HTML, written as it is (as hono does; an element is not such a value).
      acc += ` ${key}="${v}"`;
    } else {
      const out: [string] = [`${acc} ${key}="`];
      escapeToBuffer(String(v), out);
      acc = `${out[0]}"`;
    }
  }
  return acc;
}

type Component = (props: Record<string, unknown>) => unknown;

const done = (html: string | Promise<string>) =>
  (typeof html === 'string' ? new Html(html) : html.then((h) => new Html(h))) as unknown as JSX.Element;

/** One element: an HTML tag, a component (called now) or a fragment. */
export function jsx(tag: string | Component, props: Record<string, unknown>): JSX.Element {
  if (typeof tag === 'function') {
    const result = tag(props);
    return done(result instanceof Promise ? result.then(renderChildren) : renderChildren(result));
  }
  if (!isSafeName(tag) || tag.startsWith('!') || tag.startsWith('?')) throw new Error(`Invalid JSX tag name: ${tag}`);
  const open = `<${tag}${attributes(props, tag)}`;
  const children = props.children;
  if (VOID.has(tag) && (children === undefined || (Array.isArray(children) && children.length === 0))) return done(`${open}/>`);
  const inner = renderChildren(children);
  return done(typeof inner === 'string' ? `${open}>${inner}</${tag}>` : inner.then((h) => `${open}>${h}</${tag}>`));
}

/** An element with several children (the compiler's name for it): the same. */
export function jsxs(tag: string | Component, props: Record<string, unknown>): JSX.Element {
  return jsx(tag, props);
}

/** `<>…</>`: its children, nothing around them. */
export function Fragment(props: { children?: Child }): JSX.Element {
  return done(renderChildren(props.children));
}
