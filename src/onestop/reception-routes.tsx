import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { FORM_MAX_BYTES, officialsOnly, oversizedFile, uploadRoute, uploadedPart } from '../web/body.js';
import { queryOf } from '../web/params.js';
import { isId, param } from '../shared/validate.js';
import { postAnswerAddress } from '../web/post-answer.js';
import { AppError } from '../shared/errors.js';
import { receivesAnywhere } from '../dossiers/access.js';
import { receiveDossier } from '../dossiers/receive-dossier.js';
import { refuseOnlineChannel } from '../dossiers/reception-channel.js';
import { checklistFromForm, checklistLength } from '../dossiers/reception-checklist.js';
import { stageScans, type GivenScans, type StagedScan } from '../dossiers/staged-scans.js';
import { receivableProcedures } from '../dossiers/receivable-procedures.js';
// The most documents a procedure's checklist may have, hence on the form (scan-0 … scan-99): the catalog's own bound.
import { MAX_DOCUMENTS } from '../procedures/procedure-input.js';
import { ReceptionPage } from './reception-page.js';
import { catalog } from './page-data.js';
import { sendHtml } from '../web/send-html.js';

export const receptionRoutes = new Hono<AppEnv>();
receptionRoutes.use('*', requireLogin);

const notReception = () =>
  new AppError(
    'not_reception',
    'Tài khoản của bạn không được phân quyền tiếp nhận hồ sơ (không giữ vị trí tiếp nhận ở đơn vị nào). Liên hệ quản trị viên đơn vị nếu bạn cần tiếp nhận hồ sơ.',
    403,
  );

/** The reception form's address with the sector and procedure chosen (what a GET shows again: not the citizen's data). */
const receptionAddress = (v: Record<string, string>) => {
  const q = new URLSearchParams();
  if (v.linhvuc && isId(v.linhvuc)) q.set('linhvuc', v.linhvuc);
  if (v.procedureId && isId(v.procedureId)) q.set('procedureId', v.procedureId);
  return `/tiepnhan/tiep-nhan${q.size ? `?${q}` : ''}`;
};

async function renderReception(c: Ctx, values: Record<string, string>, err?: AppError, kept?: Map<number, StagedScan>) {
  const { db, config } = c.get('deps');
  const [{ sectors }, procedures, props] = await Promise.all([catalog(c), receivableProcedures(db, actorOf(c)), pageProps(c)]);
  return sendHtml(
    c,
    <Layout title="Tiếp nhận hồ sơ" section="reception" {...props} address={postAnswerAddress(c, receptionAddress(values))}>
      <ReceptionPage
        csrfToken={props.csrfToken}
        sectors={sectors}
        procedures={procedures}
        values={values}
        errors={err?.fields}
        error={err?.message}
        now={c.get('deps').now()}
        kept={kept}
        scanMaxBytes={config.reception.scanMaxBytes}
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

/**
 * The form's body, sized for its checklist: a scan of at most RECEPTION_SCAN_MAX_MB for each document of the
 * procedure its address names, plus the fields; never past RECEPTION_UPLOAD_MAX_MB (also the limit of a form whose
 * address names no procedure, such as a page opened before this rule). Each scan's limit is checked as it streams:
 * a larger one is discarded and said beside its field, the rest of the form goes on.
 */
const receptionUpload = uploadRoute(officialsOnly, {
  ceiling: (c) => c.get('deps').config.reception.uploadMaxBytes,
  forRequest: async (c) => {
    const { db, config } = c.get('deps');
    const { scanMaxBytes, uploadMaxBytes } = config.reception;
    const procedureId = c.req.query('procedureId');
    if (procedureId === undefined) return { maxBytes: uploadMaxBytes, maxFileBytes: scanMaxBytes };
    const documents = Math.max(1, await checklistLength(db, procedureId));
    // The fields' room: the small forms' limit, and as much again for the parts' headers.
    return { maxBytes: Math.min(uploadMaxBytes, documents * scanMaxBytes + 2 * FORM_MAX_BYTES), maxFileBytes: scanMaxBytes };
  },
});

/** The scans the form brings, by document position: new files, files past the limit, references to kept ones. */
async function givenScans(c: Ctx, form: Record<string, string>): Promise<GivenScans> {
  const given: GivenScans = { files: new Map(), tooLarge: new Map(), refs: new Map() };
  for (let i = 0; i < MAX_DOCUMENTS; i++) {
    const oversized = await oversizedFile(c, `scan-${i}`);
    // An empty file with a name is given, to be refused as empty beside its field.
    const file = oversized === null ? await uploadedPart(c, `scan-${i}`) : null;
    if (oversized !== null) given.tooLarge.set(i, oversized);
    else if (file) given.files.set(i, file);
    const ref = form[`staged-${i}`];
    if (ref && form[`remove-scan-${i}`] !== '1') given.refs.set(i, ref);
  }
  return given;
}

receptionRoutes.post('/tiep-nhan', receptionUpload, async (c) => {
  const { db, config, now } = c.get('deps');
  const actor = actorOf(c);
  if (!(await receivesAnywhere(db, actor))) throw notReception();
  const form = await formData(c);
  // Every scan accepted is kept (stored and staged for this official) before the form is checked: a refusal keeps them.
  const { scans, problems } = await stageScans(db, actor, await givenScans(c, form), config.reception.scanMaxBytes, now());
  try {
    // The form offers channels 1 and 3; a forged 2 (trực tuyến, the portals') is refused beside the field.
    refuseOnlineChannel(form);
    const input = { ...form, documents: checklistFromForm(form) };
    const d = await receiveDossier(db, actor, input, now(), scans, {
      scanProblems: problems,
      // A page drawn before the key existed has none: received as before.
      ...(form.submissionKey ? { submissionKey: form.submissionKey } : {}),
    });
    return c.redirect(`/tiepnhan/ho-so/${d.id}?tb=${d.repeated ? 'received-before' : 'received'}`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderReception(c, form, err, scans);
  }
});
