/**
 * The catalog's filter choices (Lĩnh vực, Cơ quan thực hiện) as HTML <option>s, escaped once when the display
 * cache loads them; a page view only marks the chosen one. The same markup JSX gives (`selected=""`).
 */
import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { CatalogFilters } from './list-catalog.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>'"]/g, (ch) => ESCAPES[ch]!);

type Options = (selected: string | undefined) => HtmlEscapedString;

function options(choices: Array<{ id: string; name: string }>): Options {
  const rendered = choices.map((o) => ({ id: o.id, head: `<option value="${escapeHtml(o.id)}"`, tail: `>${escapeHtml(o.name)}</option>` }));
  const plain = raw(rendered.map((o) => o.head + o.tail).join(''));
  return (selected) =>
    selected && rendered.some((o) => o.id === selected)
      ? raw(rendered.map((o) => (o.id === selected ? `${o.head} selected=""${o.tail}` : o.head + o.tail)).join(''))
      : plain;
}

export type FilterOptions = { sectors: Options; units: Options };

export function filterOptions(filters: CatalogFilters): FilterOptions {
  return { sectors: options(filters.sectors), units: options(filters.units) };
}
