import type { DossierComponent } from '../dossiers/dossier-components.js';
import { countsText } from '../dossiers/procedure-terms.js';

/**
 * Thành phần hồ sơ đã nhận on the dossier page: what came at the counter, how many originals and copies, and the scan
 * of each (số hóa), opened through the dossier's file route (the dossier's access rule, the one download helper).
 */
export function ComponentsSection(p: { dossierId: string; digitised: boolean; components: DossierComponent[] }) {
  if (p.components.length === 0) return null;
  return (
    <>
      <h2>Thành phần hồ sơ đã nhận</h2>
      <p id="so-hoa">
        Số hóa hồ sơ: <strong>{p.digitised ? 'Đã số hóa' : 'Chưa số hóa đủ'}</strong>
        {p.digitised ? null : ' (có thành phần chưa có bản quét)'}
      </p>
      <ul id="dossier-components">
        {p.components.map((c) => (
          <li>
            {c.name}
            {c.required ? '' : ' (nếu có)'} — {countsText(c) || 'không ghi số bản'} —{' '}
            {c.file ? (
              <>
                bản quét: <a href={`/tiepnhan/ho-so/${p.dossierId}/tep/${c.file.id}`}>{c.file.name}</a> ({Math.ceil(c.file.size / 1024)} KB)
              </>
            ) : (
              <span class="muted">chưa số hóa</span>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
