import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout, CsrfField, FieldError, Flash } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { AppError } from '../shared/errors.js';
import { UNIT_KINDS } from '../db/schema/index.js';
import { requireAdministerUnit, requireAdministrator } from '../accounts/policies.js';
import { administeredForest } from '../org/list-units.js';
import { loadUnit } from '../org/unit-queries.js';
import { UNIT_KIND_LABELS } from '../org/unit-input.js';
import { createUnit } from '../org/create-unit.js';
import { updateUnit } from '../org/update-unit.js';
import { moveUnit } from '../org/move-unit.js';
import { mergeUnits } from '../org/merge-units.js';
import { setUnitActive } from '../org/set-unit-active.js';
import { UnitOptions, UnitTree } from './unit-tree.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

export const adminUnitRoutes = new Hono<AppEnv>();
adminUnitRoutes.use('*', requireLogin);
adminUnitRoutes.use('*', async (c, next) => {
  await requireAdministrator(c.get('deps').db, actorOf(c));
  await next();
});

const NOTICES: Record<string, string> = {
  created: 'Đã thêm đơn vị.',
  saved: 'Đã lưu đơn vị.',
  moved: 'Đã chuyển đơn vị.',
  merged: 'Đã sáp nhập đơn vị. Tài khoản, đơn vị trực thuộc và phân quyền đã được chuyển sang đơn vị tiếp nhận.',
  deactivated: 'Đã ngừng hoạt động đơn vị.',
  activated: 'Đã kích hoạt lại đơn vị.',
};

type Values = Record<string, string | null | undefined>;

function UnitFields(p: { v: Values; errors?: Record<string, string> | undefined; prefix: string; isRoot: boolean }) {
  // The root is the province and only the root is (org/unit-kind-rule.ts): offer no choice the save would refuse.
  const kinds = UNIT_KINDS.filter((k) => (k === 'province') === p.isRoot);
  return (
    <>
      <label for={`${p.prefix}-name`}>
        Tên đơn vị<span class="req">*</span>
      </label>
      <input id={`${p.prefix}-name`} name="name" value={p.v.name ?? ''} required />
      <FieldError errors={p.errors} name="name" />
      <label for={`${p.prefix}-shortName`}>Tên viết tắt</label>
      <input id={`${p.prefix}-shortName`} name="shortName" value={p.v.shortName ?? ''} />
      <FieldError errors={p.errors} name="shortName" />
      <label for={`${p.prefix}-agencyCode`}>Mã định danh điện tử</label>
      <input id={`${p.prefix}-agencyCode`} name="agencyCode" value={p.v.agencyCode ?? ''} placeholder="000.00.13.H10" />
      <FieldError errors={p.errors} name="agencyCode" />
      <label for={`${p.prefix}-kind`}>Loại đơn vị</label>
      <select id={`${p.prefix}-kind`} name="kind">
        {kinds.map((k) => (
          <option value={k} selected={p.v.kind === k}>
            {UNIT_KIND_LABELS[k]}
          </option>
        ))}
      </select>
      <FieldError errors={p.errors} name="kind" />
    </>
  );
}

async function renderUnits(
  c: Ctx,
  s: {
    unitId?: string | undefined;
    notice?: string | undefined;
    error?: string;
    errors?: Record<string, string>;
    edit?: Values;
    child?: Values;
  },
  status: 200 | 400 | 409 = 200,
) {
  const { db } = c.get('deps');
  const actor = actorOf(c);
  const { forest, flat } = await administeredForest(db, actor, { includeInactive: true });
  const unitId = s.unitId ?? forest[0]?.id;
  if (unitId) await requireAdministerUnit(db, actor, unitId);
  const unit = unitId ? await loadUnit(db, unitId) : undefined;
  const props = await pageProps(c);
  const base = unit ? `/tiepnhan/quan-tri/don-vi/${unit.id}` : '';
  const others = flat.filter((u) => u.id !== unit?.id && u.active);
  // A refused change shows its unit's page again: the address of that unit in the tree (the list's ?dv=).
  const address = unit ? `/tiepnhan/quan-tri/don-vi?dv=${unit.id}` : '/tiepnhan/quan-tri/don-vi';
  return sendHtml(
    c,
    <Layout title="Quản lý đơn vị" section="admin" {...props} address={postAnswerAddress(c, address)}>
      <div class="admin-users">
        <aside class="sidebar">
          <UnitTree forest={forest} selected={unitId} hrefFor={(id) => `/tiepnhan/quan-tri/don-vi?dv=${id}`} />
          <p class="sidebar-links">
            <a href="/tiepnhan/quan-tri/nguoi-dung">Quản lý người dùng</a>
          </p>
        </aside>
        <section class="content">
          <h1>QUẢN LÝ ĐƠN VỊ</h1>
          {s.notice && NOTICES[s.notice] ? <Flash kind="ok">{NOTICES[s.notice]}</Flash> : null}
          {s.error ? <Flash kind="error">{s.error}</Flash> : null}
          {unit ? (
            <div class="unit-panels">
              <form method="post" action={base} class="stack">
                <h2>{unit.name}</h2>
                <CsrfField token={props.csrfToken} />
                <UnitFields
                  v={s.edit ?? { name: unit.name, shortName: unit.shortName, agencyCode: unit.agencyCode, kind: unit.kind }}
                  errors={s.edit ? s.errors : undefined}
                  prefix="edit"
                  isRoot={!unit.parentId}
                />
                <button type="submit" class="primary">
                  Lưu
                </button>
              </form>
              <form method="post" action={`${base}/don-vi-con`} class="stack">
                <h2>Thêm đơn vị trực thuộc</h2>
                <CsrfField token={props.csrfToken} />
                <UnitFields v={s.child ?? { kind: 'division' }} errors={s.child ? s.errors : undefined} prefix="child" isRoot={false} />
                <button type="submit">Thêm đơn vị</button>
              </form>
              {unit.parentId ? (
                <>
                  <form method="post" action={`${base}/di-chuyen`} class="stack">
                    <h2>Chuyển đơn vị</h2>
                    <CsrfField token={props.csrfToken} />
                    <label for="move-parent">Chuyển vào đơn vị cấp trên</label>
                    <select id="move-parent" name="parentId" required>
                      <UnitOptions flat={others} selected={unit.parentId} />
                    </select>
                    <button type="submit">Chuyển</button>
                  </form>
                  <form method="post" action={`${base}/sap-nhap`} class="stack">
                    <h2>Sáp nhập</h2>
                    <CsrfField token={props.csrfToken} />
                    <label for="merge-target">Sáp nhập "{unit.name}" vào</label>
                    <select id="merge-target" name="targetId" required>
                      <option value="">-- Chọn đơn vị tiếp nhận --</option>
                      <UnitOptions flat={others} selected={null} />
                    </select>
                    <p class="muted">Tài khoản, đơn vị trực thuộc và phân quyền chuyển sang đơn vị tiếp nhận; lịch sử được giữ nguyên.</p>
                    <button type="submit" class="danger">
                      Sáp nhập
                    </button>
                  </form>
                  <form method="post" action={`${base}/trang-thai`} class="stack">
                    <h2>Trạng thái</h2>
                    <CsrfField token={props.csrfToken} />
                    <input type="hidden" name="active" value={unit.active ? '0' : '1'} />
                    <button type="submit">{unit.active ? 'Ngừng hoạt động' : 'Kích hoạt lại'}</button>
                  </form>
                </>
              ) : null}
            </div>
          ) : null}
        </section>
      </div>
    </Layout>,
    status,
  );
}

/** Quản lý đơn vị: ?dv= the unit shown, ?tb= the notice after a change. */
const UnitsQuery = z.object({ dv: param.id('Mã đơn vị không hợp lệ.'), tb: param.text(40, 'Thông báo không hợp lệ.') });

adminUnitRoutes.get('/', (c) => {
  const { dv, tb } = queryOf(c, UnitsQuery);
  return renderUnits(c, { unitId: dv, notice: tb });
});

/** Run a unit use case; on a user error show the page again with the message. */
async function act(c: Ctx, unitId: string, run: (form: Record<string, string>) => Promise<string>, on: 'edit' | 'child' | null) {
  const form = await formData(c);
  try {
    const notice = await run(form);
    const target = notice.startsWith('dv=') ? notice : `dv=${unitId}&tb=${notice}`;
    return c.redirect(`/tiepnhan/quan-tri/don-vi?${target}`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderUnits(
      c,
      { unitId, error: err.message, ...(err.fields ? { errors: err.fields } : {}), ...(on ? { [on]: form } : {}) },
      err.status as 400,
    );
  }
}

adminUnitRoutes.post('/:id', (c) => {
  const id = idParam(c, 'Đơn vị');
  return act(c, id, async (f) => (await updateUnit(c.get('deps').db, actorOf(c), id, f, c.get('deps').now()), 'saved'), 'edit');
});
adminUnitRoutes.post('/:id/don-vi-con', (c) => {
  const id = idParam(c, 'Đơn vị');
  return act(
    c,
    id,
    async (f) => {
      const u = await createUnit(c.get('deps').db, actorOf(c), id, f);
      return `dv=${u.id}&tb=created`;
    },
    'child',
  );
});
adminUnitRoutes.post('/:id/di-chuyen', (c) => {
  const id = idParam(c, 'Đơn vị');
  return act(c, id, async (f) => (await moveUnit(c.get('deps').db, actorOf(c), id, f.parentId ?? '', c.get('deps').now()), 'moved'), null);
});
adminUnitRoutes.post('/:id/sap-nhap', (c) => {
  const id = idParam(c, 'Đơn vị');
  return act(
    c,
    id,
    async (f) => {
      if (!f.targetId) throw new AppError('merge_target_missing', 'Vui lòng chọn đơn vị tiếp nhận.', 400);
      await mergeUnits(c.get('deps').db, actorOf(c), id, f.targetId, c.get('deps').now());
      return `dv=${f.targetId}&tb=merged`;
    },
    null,
  );
});
adminUnitRoutes.post('/:id/trang-thai', (c) => {
  const id = idParam(c, 'Đơn vị');
  return act(
    c,
    id,
    async (f) => {
      const active = f.active === '1';
      await setUnitActive(c.get('deps').db, actorOf(c), id, active, c.get('deps').now());
      return active ? 'activated' : 'deactivated';
    },
    null,
  );
});
