/**
 * A memoized component writes what the component itself writes, renders each set of values once, renders again when
 * any value differs from the kept one's, and keeps within its bound.
 */
import { describe, expect, it } from 'vitest';
import { memoized } from './memoized.js';

type Row = { id: string; name: string; flag: boolean; n: number; note: string | null };

function counted() {
  const calls: Row[] = [];
  const render = (r: Row) => {
    calls.push(r);
    return (
      <tr data-id={r.id}>
        <td>{r.name}</td>
        <td>{r.flag ? 'có' : 'không'}</td>
        <td>{r.n}</td>
        {r.note === null ? null : <td>{r.note}</td>}
      </tr>
    );
  };
  return { calls, render };
}

const row = (over: Partial<Row> = {}): Row => ({ id: '1', name: 'Nguyễn Thị Ánh <b>', flag: true, n: 3, note: null, ...over });

describe('memoized', () => {
  it('writes the same HTML as the component, escaped, and renders a row seen before only once', () => {
    const { calls, render } = counted();
    const Row = memoized('id', render);
    const direct = String(render(row()));
    calls.length = 0;
    const first = String(<table>{[<Row {...row()} />, <Row {...row()} />]}</table>);
    expect(first).toBe(`<table>${direct}${direct}</table>`);
    expect(direct).toContain('Nguyễn Thị Ánh &lt;b&gt;');
    expect(calls).toHaveLength(1);
  });

  it('renders again when any value differs from the kept one, however slightly', () => {
    const { calls, render } = counted();
    const Row = memoized('id', render);
    const variants: Row[] = [
      row(),
      row({ id: '2' }),
      row({ flag: false }),
      row({ n: 4 }),
      row({ note: '' }),
      row({ note: 'null' }),
      row({ name: 'Nguyễn Thị Ánh <b> ' }),
      row({ name: 'Nguyễn Thị Ánh <b>'.normalize('NFD') }),
    ];
    const out = variants.map((v) => String(<Row {...v} />));
    expect(calls).toHaveLength(variants.length);
    expect(new Set(out).size).toBe(variants.length);
    const direct = variants.map((v) => String(render(v)));
    expect(out).toEqual(direct);
    calls.length = 0;
    // Back to the first values: the row of id 1 was replaced by its later versions, so it is rendered again.
    expect(String(<Row {...row()} />)).toBe(out[0]);
    expect(calls).toHaveLength(1);
  });

  it('keeps within its bound, dropping the least recently used first', () => {
    const { calls, render } = counted();
    const r10 = row({ id: '10' });
    const size = String(render(r10)).length + r10.id.length + r10.name.length + 8 + 8 + 8;
    calls.length = 0;
    const Row = memoized('id', render, size * 3);
    for (const id of ['10', '11', '12']) String(<Row {...row({ id })} />);
    String(<Row {...row({ id: '10' })} />); // used again: 11 is now the oldest
    String(<Row {...row({ id: '13' })} />);
    expect(calls.map((c) => c.id)).toEqual(['10', '11', '12', '13']);
    String(<Row {...row({ id: '10' })} />);
    String(<Row {...row({ id: '11' })} />);
    expect(calls.map((c) => c.id)).toEqual(['10', '11', '12', '13', '11']);
  });
});
