import type { UnitNode } from '../org/tree.js';

/** The unit tree beside the list (seed 000 §1a): each unit links to its officials. */
export function UnitTree(p: { forest: UnitNode[]; selected?: string | undefined; hrefFor: (id: string) => string }) {
  const render = (nodes: UnitNode[]) => (
    <ul>
      {nodes.map((n) => (
        <li>
          <a
            href={p.hrefFor(n.id)}
            aria-current={n.id === p.selected ? 'true' : undefined}
            class={n.id === p.selected ? 'selected' : undefined}
          >
            {n.name}
            {n.active ? '' : ' (ngừng hoạt động)'}
          </a>
          {n.children.length ? render(n.children) : null}
        </li>
      ))}
    </ul>
  );
  return (
    <nav class="unit-tree" aria-label="Cây đơn vị">
      {render(p.forest)}
    </nav>
  );
}

/** <option>s for a unit picker, indented by depth. */
export function UnitOptions(p: { flat: Array<UnitNode & { depth: number }>; selected?: string | null | undefined }) {
  return (
    <>
      {p.flat.map((u) => (
        <option value={u.id} selected={u.id === p.selected}>
          {`${'\u00a0\u00a0'.repeat(u.depth)}${u.name}`}
        </option>
      ))}
    </>
  );
}
