import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { AppError } from '../shared/errors.js';
import { receiveDossier } from '../dossiers/receive-dossier.js';
import { ReceptionPage } from './reception-page.js';
import { catalog } from './page-data.js';

export const receptionRoutes = new Hono<AppEnv>();
receptionRoutes.use('*', requireLogin);

async function renderReception(c: Ctx, values: Record<string, string>, err?: AppError) {
  const { sectors: sectorRows, procedures } = await catalog(c);
  const props = await pageProps(c);
  return c.html(
    <Layout title="Tiếp nhận hồ sơ" section="reception" {...props}>
      <ReceptionPage
        csrfToken={props.csrfToken}
        sectors={sectorRows}
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

/** The reception form's choices kept in its address (choosing a sector reloads the form). */
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

/** TIẾP NHẬN HỒ SƠ (seed 000): direct and postal dossiers. */
receptionRoutes.get('/tiep-nhan', (c) => {
  const values = Object.entries(queryOf(c, ReceptionQuery)).filter((e): e is [string, string] => typeof e[1] === 'string');
  return renderReception(c, Object.fromEntries(values));
});

receptionRoutes.post('/tiep-nhan', async (c) => {
  const form = await formData(c);
  try {
    const d = await receiveDossier(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    return c.redirect(`/tiepnhan/ho-so/${d.id}?tb=received`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderReception(c, form, err);
  }
});
