/**
 * A component whose HTML is kept by what it shows: the rows of the busiest lists (the inbox's table), which an
 * official reloads all day and whose rows rarely change between two loads. Rendering 50 rows through JSX was most of
 * the inbox page's own work (docs/decisions/0031); a row seen before is now a lookup.
 *
 * Correct by construction rather than by invalidation: the component's props are plain values only (strings,
 * numbers, booleans, null — no Date, no object, no function, so nothing a comparison could miss), the component is a
 * pure function of them, and its kept HTML is used only when every prop is the same (===) as when it was rendered.
 * Entries are found by one of the props (a row's id), so a changed row replaces its old entry rather than sitting
 * beside it; the cache is bounded by the characters it holds, least recently used first out (lru-cache), so a
 * province's worth of rows costs at most a few megabytes.
 *
 * What is shown to whom is not decided here: a row's HTML is what anyone given the same values would be shown, and
 * only a list that already decided the reader may see the row hands it its values.
 */
import { LRUCache } from 'lru-cache';
import type { JSX } from './jsx-runtime.js';

/** The props such a component may take: values compared exactly by ===. */
export type PlainProps = Record<string, string | number | boolean | null>;

/** Characters (UTF-16 units) a component's cache may hold: ~4 MB at two bytes each. */
const DEFAULT_MAX_CHARS = 2_000_000;

type Kept<P> = { props: P; html: JSX.Element };

function sameProps<P extends PlainProps>(a: P, b: P): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

function sizeOf<P extends PlainProps>(kept: Kept<P>): number {
  let n = String(kept.html).length;
  for (const v of Object.values(kept.props)) n += typeof v === 'string' ? v.length : 8;
  return n;
}

/** `render` kept per `by` prop, re-rendered when any prop differs from the kept one's. */
export function memoized<P extends PlainProps, K extends keyof P & string>(
  by: K,
  render: (props: P) => JSX.Element,
  maxChars = DEFAULT_MAX_CHARS,
): (props: P) => JSX.Element {
  const cache = new LRUCache<string, Kept<P>>({ maxSize: maxChars, sizeCalculation: sizeOf });
  return (props) => {
    const key = String(props[by]);
    const kept = cache.get(key);
    if (kept !== undefined && sameProps(kept.props, props)) return kept.html;
    const html = render(props);
    // An async component's promise is not kept: none of the memoized rows is one, and a kept promise would hold on
    // to a rejection.
    if (!(html instanceof Promise)) cache.set(key, { props: { ...props }, html });
    return html;
  };
}
