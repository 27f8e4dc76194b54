import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { acceptsUpload, uploadedStream } from '../web/body.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { AppError } from '../shared/errors.js';
import type { IncomingFile } from '../storage/index.js';
import { receivesAnywhere } from '../dossiers/access.js';
import { receiveDossier } from '../dossiers/receive-dossier.js';
import { refuseOnlineChannel } from '../dossiers/reception-channel.js';
import { checklistFromForm } from '../dossiers/reception-checklist.js';
import { receivableProcedures } from '../dossiers/receivable-procedures.js';
import { ReceptionPage } from './reception-page.js';
import { catalog } from './page-data.js';

export const receptionRoutes = new Hono<AppEnv>();
receptionRoutes.use('*', requireLogin);

const notReception = () =>
  new AppError(
    'not_reception',
    'Tài khoản của bạn không được phân quyền tiếp nhận hồ sơ (không giữ vị trí tiếp nhận ở đơn vị nào). Liên hệ quản trị viên đơn vị nếu bạn cần tiếp nhận hồ sơ.',
    403,
  );

async function renderReception(c: Ctx, values: Record<string, string>, err?: AppError) {
  const { db } = c.get('deps');
  const [{ sectors }, procedures, props] = await Promise.all([catalog(c), receivableProcedures(db, actorOf(c)), pageProps(c)]);
  return c.html(
    <Layout title="Tiếp nhận hồ sơ" section="reception" {...props}>
      <ReceptionPage
        csrfToken={props.csrfToken}
        sectors={sectors}
        procedures={procedures}
        values={values}
        errors={err?.fields}
        error={err?.message}
        now={c.get('deps').now()}
      />
    </Layout>,
    (err?.status ?? 200) as 200,
  );
}

/** The reception form's choices kept in its address (choosing a sector or a procedure reloads the form). */
const ReceptionQuery = z.object({
  linhvuc: param.id('Mã lĩnh vực không hợp lệ.'),
  procedureId: param.id('Mã thủ tục không hợp lệ.'),
  channel: param.oneOf(['1', '2', '3'], 'Hình thức tiếp nhận không hợp lệ.'),
  fullName: param.text(150, 'Họ tên tối đa 150 ký tự.'),
  cccd: param.text(20, 'Số CCCD không hợp lệ.'),
  phone: param.text(20, 'Số điện thoại không hợp lệ.'),
  email: param.text(200, 'Địa chỉ email tối đa 200 ký tự.'),
  address: param.text(300, 'Địa chỉ tối đa 300 ký tự.'),
  note: param.text(1000, 'Ghi chú tối đa 1000 ký tự.'),
});

/** TIẾP NHẬN HỒ SƠ (seed 000): direct and postal dossiers, for officials who hold a reception position. */
receptionRoutes.get('/tiep-nhan', async (c) => {
  const values = Object.entries(queryOf(c, ReceptionQuery)).filter((e): e is [string, string] => typeof e[1] === 'string');
  if (!(await receivesAnywhere(c.get('deps').db, actorOf(c)))) throw notReception();
  return renderReception(c, Object.fromEntries(values));
});

/** The most documents a procedure's checklist may have on the form (scan-0 … scan-99). */
const MAX_DOCUMENTS = 100;

receptionRoutes.post('/tiep-nhan', acceptsUpload, async (c) => {
  const form = await formData(c);
  const scans = new Map<number, IncomingFile>();
  for (let i = 0; i < MAX_DOCUMENTS; i++) {
    const scan = await uploadedStream(c, `scan-${i}`);
    if (scan) scans.set(i, scan);
  }
  try {
    // The form offers channels 1 and 3; a forged 2 (trực tuyến, the portals') is refused beside the field.
    refuseOnlineChannel(form);
    const input = { ...form, documents: checklistFromForm(form) };
    const d = await receiveDossier(c.get('deps').db, actorOf(c), input, c.get('deps').now(), scans);
    return c.redirect(`/tiepnhan/ho-so/${d.id}?tb=received`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderReception(c, form, err);
  }
});
