import crypto from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { requireAdministrator } from '../accounts/policies.js';
import { listProcedureChoices, listSectors } from '../procedures/procedure-queries.js';
import { AppError } from '../shared/errors.js';
import { INT4_MAX, param } from '../shared/validate.js';
import { formData, formValues } from '../web/body.js';
import type { AppEnv } from '../web/env.js';
import { actorOf, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { Flash, Layout } from '../web/layout.js';
import { queryOf } from '../web/params.js';
import { createDelegation } from './create-delegation.js';
import { toLocalInput } from './delegation-input.js';
import { endDelegation } from './end-delegation.js';
import { administeredDelegations, myDelegations } from './list-delegations.js';
import { DelegationTable, MyDelegationsPage, NewDelegationPage } from './pages.js';
import { eligibleDelegates, mayDelegate } from './policies.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

/** Menu cá nhân → Ủy quyền giải quyết DVC (/tiepnhan/uy-quyen) and Quản trị → Ủy quyền (/tiepnhan/quan-tri/uy-quyen). */
export const delegationRoutes = new Hono<AppEnv>();
delegationRoutes.use('/uy-quyen/*', requireLogin);
delegationRoutes.use('/uy-quyen', requireLogin);
delegationRoutes.use('/quan-tri/uy-quyen', requireLogin);

const ListQuery = z.object({
  'da-them': param.int(1, INT4_MAX, 'Tham số không hợp lệ.'),
  'da-ket-thuc': param.int(1, INT4_MAX, 'Tham số không hợp lệ.'),
});

function flashOf(q: z.output<typeof ListQuery>): string | null {
  if (q['da-them']) return `Đã tạo ủy quyền số ${q['da-them']}.`;
  if (q['da-ket-thuc']) return `Đã kết thúc ủy quyền số ${q['da-ket-thuc']}. Người nhận không còn xử lý thay từ lúc này.`;
  return null;
}

delegationRoutes.get('/uy-quyen', async (c) => {
  const { db, now } = c.get('deps');
  const actor = actorOf(c);
  const q = queryOf(c, ListQuery);
  const [{ given, received }, canDelegate, props] = await Promise.all([
    myDelegations(db, actor, now()),
    mayDelegate(db, actor),
    pageProps(c),
  ]);
  return sendHtml(
    c,
    <Layout title="Ủy quyền giải quyết DVC" section="personal" {...props}>
      <MyDelegationsPage given={given} received={received} canDelegate={canDelegate} csrfToken={props.csrfToken} flash={flashOf(q)} />
    </Layout>,
  );
});

async function renderNew(
  c: Ctx,
  values: Record<string, string | string[]>,
  errors?: Record<string, string>,
  status: 200 | 400 | 403 | 409 = 200,
) {
  const { db } = c.get('deps');
  const actor = actorOf(c);
  const [delegates, sectors, procedures, props] = await Promise.all([
    eligibleDelegates(db, actor),
    listSectors(db),
    listProcedureChoices(db),
    pageProps(c),
  ]);
  return sendHtml(
    c,
    <Layout title="Thêm ủy quyền giải quyết DVC" section="personal" {...props} address={postAnswerAddress(c, '/tiepnhan/uy-quyen/them')}>
      <NewDelegationPage
        csrfToken={props.csrfToken}
        delegates={delegates}
        sectors={sectors}
        procedures={procedures}
        values={values}
        errors={errors}
      />
    </Layout>,
    status,
  );
}

delegationRoutes.get('/uy-quyen/them', async (c) => {
  const { db, now } = c.get('deps');
  if (!(await mayDelegate(db, actorOf(c)))) {
    throw new AppError('nothing_to_delegate', 'Tài khoản của bạn không có vai trò xử lý hồ sơ nào để ủy quyền.', 403);
  }
  const start = now();
  return renderNew(c, {
    from: toLocalInput(start),
    to: toLocalInput(new Date(start.getTime() + 7 * 86_400_000)),
    formKey: crypto.randomUUID(),
  });
});

delegationRoutes.post('/uy-quyen/them', async (c) => {
  const { db, now } = c.get('deps');
  const form = await formData(c);
  const values: Record<string, string | string[]> = {
    ...form,
    sectorIds: await formValues(c, 'sectorIds'),
    procedureIds: await formValues(c, 'procedureIds'),
  };
  try {
    const d = await createDelegation(db, actorOf(c), values, now());
    return c.redirect(`/tiepnhan/uy-quyen?da-them=${d.id}`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    const status = err.status === 403 || err.status === 409 ? err.status : 400;
    return renderNew(c, values, err.fields ?? { _: err.message }, status);
  }
});

const DelegationId = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, { error: 'Số ủy quyền không hợp lệ.' })
    .transform(Number),
});

delegationRoutes.post('/uy-quyen/:id/ket-thuc', async (c) => {
  const { db, now } = c.get('deps');
  const parsed = DelegationId.safeParse({ id: c.req.param('id') });
  const id = parsed.success ? parsed.data.id : 0;
  const form = await formData(c);
  await endDelegation(db, actorOf(c), id, { note: form.note }, now());
  const back = form.ve === 'quan-tri' ? '/tiepnhan/quan-tri/uy-quyen' : '/tiepnhan/uy-quyen';
  return c.redirect(`${back}?da-ket-thuc=${id}`, 303);
});

/** Quản trị → Ủy quyền: the delegations of the accounts in the administrator's subtree. */
delegationRoutes.get('/quan-tri/uy-quyen', async (c) => {
  const { db, now } = c.get('deps');
  const actor = actorOf(c);
  await requireAdministrator(db, actor);
  const q = queryOf(c, ListQuery);
  const [rows, props] = await Promise.all([administeredDelegations(db, actor, now()), pageProps(c)]);
  const flash = flashOf(q);
  return sendHtml(
    c,
    <Layout title="Ủy quyền trong đơn vị" section="admin" {...props}>
      <section>
        <h1>ỦY QUYỀN GIẢI QUYẾT DVC TRONG ĐƠN VỊ</h1>
        {flash ? <Flash kind="ok">{flash}</Flash> : null}
        <DelegationTable
          id="administered"
          caption="Các ủy quyền của tài khoản thuộc đơn vị bạn quản trị"
          rows={rows}
          csrfToken={props.csrfToken}
          endable={(d) => d.mayEnd}
          back="quan-tri"
        />
      </section>
    </Layout>,
  );
});
