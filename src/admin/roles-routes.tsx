import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { Layout, CsrfField, Flash } from '../web/layout.js';
import { actorOf, pageProps, type Ctx } from '../web/http.js';
import { formData, formValues } from '../web/body.js';
import { idParam } from '../web/params.js';
import { AppError } from '../shared/errors.js';
import { ROLES, type Role } from '../db/schema/index.js';
import { administeredForest } from '../org/list-units.js';
import { requireAdministeredAccount } from '../accounts/policies.js';
import { ROLE_LABELS, administeredGrantsOf, rolesShown, setRoles } from '../accounts/set-roles.js';
import { UnitOptions } from './unit-tree.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

export const rolesRoutes = new Hono<AppEnv>();

async function renderRoles(c: Ctx, accountId: string, error?: string, status: 200 | 400 | 403 | 409 = 200) {
  const { db } = c.get('deps');
  const actor = actorOf(c);
  const { account: acc, grants } = await administeredGrantsOf(db, actor, accountId);
  const { flat } = await administeredForest(db, actor);
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout
      title="Phân quyền sử dụng"
      section="admin"
      {...props}
      address={postAnswerAddress(c, `/tiepnhan/quan-tri/nguoi-dung/${acc.id}/phan-quyen`)}
    >
      <section class="narrow wide-ok">
        <h1>Phân quyền sử dụng</h1>
        <p>
          Tài khoản <strong>{acc.username}</strong> — {acc.middleName} {acc.givenName}. Một vai trò tại một đơn vị có hiệu lực cho cả các
          đơn vị trực thuộc.
        </p>
        {error ? <Flash kind="error">{error}</Flash> : null}
        <form method="post" class="stack">
          <CsrfField token={props.csrfToken} />
          <input type="hidden" name="shown" value={rolesShown(grants)} />
          <fieldset>
            <legend>Quyền hiện có</legend>
            {grants.length === 0 ? <p class="muted">Chưa có quyền nào.</p> : null}
            {grants.map((g) => (
              <label class="check">
                <input type="checkbox" name="grant" value={`${g.unitId}:${g.role}`} checked /> {ROLE_LABELS[g.role as Role]} — {g.unitName}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>Thêm quyền</legend>
            <label for="newUnit">Đơn vị</label>
            <select id="newUnit" name="newUnit">
              <option value="">-- Chọn đơn vị --</option>
              <UnitOptions flat={flat} selected={null} />
            </select>
            {ROLES.map((r) => (
              <label class="check">
                <input type="checkbox" name="newRole" value={r} /> {ROLE_LABELS[r]}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary">
            Lưu
          </button>{' '}
          <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tk=${acc.id}`}>
            Quay lại
          </a>
        </form>
      </section>
    </Layout>,
    status,
  );
}

rolesRoutes.get('/:id/phan-quyen', (c) => renderRoles(c, idParam(c, 'Tài khoản')));

rolesRoutes.post('/:id/phan-quyen', async (c) => {
  const id = idParam(c, 'Tài khoản');
  const wanted = (await formValues(c, 'grant')).map((g) => {
    const [unitId, role] = g.split(':');
    return { unitId, role };
  });
  const form = await formData(c);
  const newUnit = form.newUnit ?? '';
  const newRoles = await formValues(c, 'newRole');
  if (newRoles.length && !newUnit) return renderRoles(c, id, 'Vui lòng chọn đơn vị để thêm quyền.', 400);
  for (const role of newRoles) wanted.push({ unitId: newUnit, role });
  try {
    const acc = await requireAdministeredAccount(c.get('deps').db, actorOf(c), id);
    await setRoles(c.get('deps').db, actorOf(c), id, wanted, form.shown === undefined ? {} : { shown: form.shown });
    return c.redirect(`/tiepnhan/quan-tri/nguoi-dung?donvi=${acc.unitId}&tk=${acc.id}&tb=roles`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    const msg = err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message;
    return renderRoles(c, id, msg, err.status as 400);
  }
});
