import { Hono } from 'hono';
import { nationalSyncOf } from '../national-portal/sync-state.js';
import { dossierNotifications } from '../notify/dossier-notifications.js';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { acceptsUpload, uploadedPart } from '../web/body.js';
import { attachmentDisposition, sendFile } from '../web/download.js';
import { param } from '../shared/validate.js';
import { AppError, errors } from '../shared/errors.js';
import { actOnDossier } from '../dossiers/act-on-dossier.js';
import { viewDossier } from '../dossiers/view-dossier.js';
import { dossierFeeFacts } from '../payments/queries.js';
import { DossierPage } from './dossier-page.js';
import { dossierFormPdf, type FormNumber } from '../dossiers/dossier-forms.js';
import { attachResult, readResultFile, resultFilesOf } from '../dossiers/attach-result.js';
import { soonThreshold } from './page-data.js';
import { recordResult, resultOf } from '../dossiers/record-result.js';
import { assignDossier, assignmentChoices } from '../dossiers/assign-dossier.js';
import { choosesNextHolder } from '../dossiers/transitions.js';
import { Flash } from '../web/layout.js';
import { componentsOf } from '../dossiers/dossier-components.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

export const dossierRoutes = new Hono<AppEnv>();
dossierRoutes.use('*', requireLogin);

const NOTICES: Record<string, string> = {
  attached: 'Đã đính kèm tệp kết quả.',
  recorded: 'Đã ghi nhận kết quả giải quyết.',
  received: 'Đã tiếp nhận hồ sơ. In Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01) cho người nộp.',
  // The counter form sent a second time (Back, then Tiếp nhận): no second dossier, this is the one it made.
  'received-before':
    'Biểu mẫu này đã được gửi trước đó: hồ sơ đã được tiếp nhận một lần (dưới đây), không tạo thêm hồ sơ mới. Để tiếp nhận hồ sơ khác, mở lại trang Tiếp nhận hồ sơ.',
  done: 'Đã cập nhật hồ sơ.',
  assigned: 'Đã phân công lại bước hiện tại.',
};

/** What a page render shows besides the dossier: a notice, a refused action, a refused result form and its values. */
type RenderState = {
  notice?: string;
  error?: AppError;
  resultError?: AppError;
  resultValues?: Record<string, string>;
  /** The action form refused: what was typed in it, shown again in it beside its messages. */
  actionValues?: Record<string, string>;
};

async function renderDossier(c: Ctx, id: string, s: RenderState = {}) {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const view = await viewDossier(db, actorOf(c), id, c.get('deps').now());
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout
      title={`Hồ sơ ${view.dossier.code}`}
      section="dossiers"
      {...props}
      address={postAnswerAddress(c, `/tiepnhan/ho-so/${view.dossier.id}`)}
    >
      <DossierPage
        csrfToken={props.csrfToken}
        accountId={actorOf(c).accountId}
        assignment={
          await assignmentChoices(
            db,
            actorOf(c),
            view.dossier,
            view.version.steps,
            choosesNextHolder(view.actions, view.version.steps, view.dossier.currentStep),
          )
        }
        view={view}
        notice={s.notice}
        error={(s.error ?? s.resultError)?.message}
        errors={s.error?.fields}
        refusedAction={s.actionValues}
        now={now}
        soon={await soonThreshold(c, now)}
        files={await resultFilesOf(db, view.dossier.id)}
        result={{ record: await resultOf(db, view.dossier.id), errors: s.resultError?.fields, values: s.resultValues }}
        components={await componentsOf(db, view.dossier.id)}
        nationalSync={await nationalSyncOf(db, view.dossier.id)}
        notifications={await dossierNotifications(db, view.dossier.id)}
        fee={await dossierFeeFacts(db, view.dossier.id)}
      />
    </Layout>,
    ((s.error ?? s.resultError)?.status ?? 200) as 200,
  );
}

/** A dossier's page: ?tb= the notice after a change. */
const DossierQuery = z.object({ tb: param.text(40, 'Thông báo không hợp lệ.') });

dossierRoutes.get('/ho-so/:id', (c) => {
  const id = idParam(c, 'Hồ sơ');
  return renderDossier(c, id, { notice: NOTICES[queryOf(c, DossierQuery).tb ?? ''] });
});

// An upload route for Đã nhận hồ sơ bổ sung's scan (one file, a scan's limit); every other action posts a plain form.
dossierRoutes.post('/ho-so/:id/xu-ly', acceptsUpload, async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const form = await formData(c);
  const { config } = c.get('deps');
  const scan = await uploadedPart(c, 'supplementScan');
  try {
    const supplement = scan ? { scan, maxScanBytes: config.reception.scanMaxBytes } : undefined;
    await actOnDossier(c.get('deps').db, actorOf(c), id, form, c.get('deps').now(), supplement);
    return c.redirect(`/tiepnhan/ho-so/${id}?tb=done`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderRefusal(c, id, err, form);
  }
});

/** Phân công lại: a leader gives the current step to another official, or back to the unit. */
dossierRoutes.post('/ho-so/:id/phan-cong', async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const form = await formData(c);
  try {
    await assignDossier(c.get('deps').db, actorOf(c), id, form, c.get('deps').now());
    return c.redirect(`/tiepnhan/ho-so/${id}?tb=assigned`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderRefusal(c, id, err);
  }
});

/**
 * A refused action: the dossier page with the reason and the dossier's current state; when the official may no
 * longer see the dossier (they handled it before: dossiers/moved-on.ts), what happened alone.
 */
async function renderRefusal(c: Ctx, id: string, err: AppError, actionValues?: Record<string, string>) {
  try {
    return await renderDossier(c, id, { error: err, ...(actionValues ? { actionValues } : {}) });
  } catch (notVisible) {
    if (!(notVisible instanceof AppError) || notVisible.status !== 404 || err.code !== 'dossier_moved') throw notVisible;
    const props = await pageProps(c);
    return sendHtml(
      c,
      <Layout title="Hồ sơ đã được chuyển đi" section="dossiers" {...props}>
        <section>
          <h1>Hồ sơ đã được chuyển đi</h1>
          <Flash kind="error">{err.message}</Flash>
          <p>
            <a href="/tiepnhan/ho-so">← Hồ sơ cần xử lý</a>
          </p>
        </section>
      </Layout>,
      409,
    );
  }
}

/** Mẫu 01–06 of a dossier, as PDF. */
dossierRoutes.get('/ho-so/:id/:form{mau-0[1-6]\\.pdf}', async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const form = c.req.param('form').slice(4, 6) as FormNumber;
  const { pdf, fileName } = await dossierFormPdf(
    c.get('deps').db,
    actorOf(c),
    id,
    form,
    c.get('deps').config.publicUrl,
    c.get('deps').now(),
  );
  // Opened in the browser to be printed; saved, it is named after the form and the dossier.
  return c.body(new Uint8Array(pdf), 200, {
    'Content-Type': 'application/pdf',
    'Content-Disposition': attachmentDisposition(fileName, 'inline'),
  });
});

dossierRoutes.post('/ho-so/:id/ket-qua', acceptsUpload, async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const file = await uploadedPart(c);
  try {
    // An empty file with a name is given to the use case, which says it is empty (0 byte) and names it.
    if (!file) throw errors.validation({ file: 'Vui lòng chọn tệp kết quả để đính kèm.' });
    await attachResult(c.get('deps').db, actorOf(c), id, file, c.get('deps').now());
    return c.redirect(`/tiepnhan/ho-so/${id}?tb=attached`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderDossier(c, id, { resultError: err });
  }
});

/** Ghi nhận kết quả (record-result.ts): the typed values stay in the form when refused. */
dossierRoutes.post('/ho-so/:id/ket-qua/ghi-nhan', async (c) => {
  const id = idParam(c, 'Hồ sơ');
  const form = await formData(c);
  try {
    await recordResult(c.get('deps').db, actorOf(c), id, form, c.get('deps').now());
    return c.redirect(`/tiepnhan/ho-so/${id}?tb=recorded#ket-qua`, 303);
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    return renderDossier(c, id, { resultError: err, resultValues: form });
  }
});

dossierRoutes.get('/ho-so/:id/tep/:fileId', async (c) => {
  const f = await readResultFile(c.get('deps').db, actorOf(c), idParam(c, 'Hồ sơ'), idParam(c, 'Tệp', 'fileId'), c.get('deps').now());
  return sendFile(c, { open: f.open, size: f.size, mediaType: f.mime, fileName: f.name });
});
