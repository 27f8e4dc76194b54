/**
 * Our JSX runtime writes the same HTML as hono/jsx's renderer did for every kind of element the pages use, escapes
 * what is not already escaped, and does not use AsyncLocalStorage (the reason it exists: decision 0034).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { html, raw } from 'hono/html';
import { jsx as honoJsx, Fragment as HonoFragment } from 'hono/jsx/jsx-runtime';
import { describe, expect, it, vi } from 'vitest';
import { Fragment, jsx } from './jsx-runtime.js';

type Tag = Parameters<typeof jsx>[0];

/** The same tree through both runtimes: hono's nodes rendered by hono (toString), ours rendered at creation. */
async function both(build: (h: (tag: Tag | 'fragment', props: Record<string, unknown>) => unknown) => unknown) {
  const ours = build((tag, props) => (tag === 'fragment' ? Fragment(props) : jsx(tag, props)));
  const hono = build((tag, props) =>
    tag === 'fragment' ? honoJsx(HonoFragment, props) : honoJsx(tag as Parameters<typeof honoJsx>[0], props),
  );
  return { ours: String(await ours), hono: String(await (hono as { toString(): unknown }).toString()) };
}

const ASYNC = async ({ who }: { who: string }) => jsx('em', { children: `chào ${who}` });

const CASES: Record<string, (h: (tag: Tag | 'fragment', props: Record<string, unknown>) => unknown) => unknown> = {
  'text is escaped, in children and attributes': (h) =>
    h('p', { title: `"a" & 'b' <c>`, children: ['<script>alert(1)</script>', ' & ', "it's"] }),
  'numbers, null, undefined and booleans as children': (h) => h('p', { children: [0, 1.5, null, undefined, false, true, 'x'] }),
  'boolean attributes and the others': (h) =>
    h('input', { type: 'checkbox', checked: true, disabled: false, required: true, 'aria-invalid': true, hidden: undefined, value: 0 }),
  'void elements, and one with children': (h) => h('div', { children: [h('br', {}), h('img', { src: '/a.png', alt: '' }), h('p', {})] }),
  'React spellings and data attributes': (h) => h('label', { className: 'x', htmlFor: 'f', 'data-state': 'ok', children: 'Nhãn' }),
  'attribute names that could break out are dropped': (h) => h('a', { href: '/', 'x onclick=alert(1)': 'v', 'a"b': 'v', children: 'a' }),
  'nested arrays, fragments and maps': (h) =>
    h('ul', {
      children: [['a', 'b'].map((s) => h('li', { children: s })), h('fragment', { children: [h('li', { children: 'c' }), 'd'] })],
    }),
  'raw HTML is kept as it is': (h) =>
    h('fragment', { children: [raw('<!DOCTYPE html>'), h('html', { lang: 'vi', children: raw('<b>đậm</b>') })] }),
  'function and async components': (h) =>
    h('section', {
      children: [
        h((p: Record<string, unknown>) => h('strong', { children: p.children }), { children: 'sync' }),
        h(ASYNC as unknown as Tag, { who: 'bà <Tư>' }),
        ' sau',
      ],
    }),
  'objects as attribute values: a date, a raw value, an element, a plain object': (h) =>
    h('time', {
      datetime: new Date(Date.UTC(2026, 11, 5, 1, 2, 3)),
      'data-raw': raw('a&amp;b'),
      title: h('b', { children: '<x>' }),
      'data-o': { toString: () => '"quoted"' },
      children: [new Date(0), { toString: () => '<i>' }, 7n as unknown as string],
    }),
  'Vietnamese text with diacritics': (h) => h('p', { children: 'Hồ sơ đã nộp — Cổng Dịch vụ công' }),
};

describe('the JSX runtime', () => {
  for (const [name, build] of Object.entries(CASES)) {
    it(`writes what hono/jsx wrote: ${name}`, async () => {
      const { ours, hono } = await both(build);
      expect(ours).toBe(hono);
      expect(ours.length).toBeGreaterThan(0);
    });
  }

  it('escapes every character that could end text or an attribute', () => {
    expect(String(jsx('i', { title: `<>"'&`, children: `<>"'&` }))).toBe(
      '<i title="&lt;&gt;&quot;&#39;&amp;">&lt;&gt;&quot;&#39;&amp;</i>',
    );
  });

  it('refuses a tag name that could break out, and a function in a non-event attribute', () => {
    expect(() => jsx('div onmouseover=x', {})).toThrow(/Invalid JSX tag name/);
    expect(() => jsx('!--', {})).toThrow(/Invalid JSX tag name/);
    expect(() => jsx('?xml', {})).toThrow(/Invalid JSX tag name/);
    expect(() => jsx('a', { href: () => 'x' })).toThrow(/Invalid prop/);
  });

  it('writes only the own keys of the props, never inherited ones', () => {
    const props = Object.assign(Object.create({ onfocus: 'alert(1)', autofocus: true }) as Record<string, unknown>, { href: '/' });
    expect(String(jsx('a', props))).toBe('<a href="/"></a>');
  });

  it('renders without AsyncLocalStorage', async () => {
    const run = vi.spyOn(AsyncLocalStorage.prototype, 'run');
    await jsx('div', { children: [jsx(ASYNC as unknown as Tag, { who: 'x' }), 'y'] });
    expect(run).not.toHaveBeenCalled();
    run.mockRestore();
  });

  it('is what the pages are compiled with', () => {
    const el = <b>x</b>;
    expect((el as unknown as { isEscaped: boolean }).isEscaped).toBe(true);
    expect(String(el)).toBe('<b>x</b>');
    // hono's html template and raw() take it as already escaped.
    expect(String(html`<p>${el}${'<i>'}</p>`)).toBe('<p><b>x</b>&lt;i&gt;</p>');
  });
});
