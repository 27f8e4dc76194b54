/**
 * Thông báo in the one-stop system (mounted at /tiepnhan): the official's in-app notices (/thong-bao), one notice
 * (opening it marks it read: open-notice.ts), Đánh dấu đã đọc, and Thông tin tài khoản → Cài đặt thông báo
 * (/tai-khoan/thong-bao). Parse → call → render; who sees what is notice-owner.ts's.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { param } from '../shared/validate.js';
import type { AppEnv } from '../web/env.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { Layout } from '../web/layout.js';
import { idParam, queryOf } from '../web/params.js';
import { markNoticesRead } from './mark-notices-read.js';
import { type NoticeReader, ownerOfReader } from './notice-owner.js';
import { NoticeList, type NoticePaths, NoticeView, PreferencesForm } from './notice-pages.js';
import { listNotices } from './notice-queries.js';
import { parseKeysetCursor } from '../db/keyset-cursor.js';
import { openNotice } from './open-notice.js';
import { officialDestinations, readPreferences } from './preference-queries.js';
import { saveNotificationPreferences } from './save-notification-preferences.js';
import { UNREAD_CAP } from './unread.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

export const officialNoticeRoutes = new Hono<AppEnv>();
officialNoticeRoutes.use('/thong-bao', requireLogin);
officialNoticeRoutes.use('/thong-bao/*', requireLogin);
officialNoticeRoutes.use('/tai-khoan/thong-bao', requireLogin);

const PATHS: NoticePaths = {
  base: '/tiepnhan/thong-bao',
  dossier: (id) => `/tiepnhan/ho-so/${id}`,
  settings: '/tiepnhan/tai-khoan/thong-bao',
};

const ListQuery = z.object({ sau: param.text(100, 'Trang không hợp lệ.') });
const SavedQuery = z.object({ luu: param.flag() });

/** Notices are the session's own account's, also while acting for a delegator. */
function reader(c: Ctx): NoticeReader {
  return { kind: 'official', accountId: actorOf(c).accountId };
}

officialNoticeRoutes.get('/thong-bao', async (c) => {
  const [page, props] = await Promise.all([
    listNotices(c.get('deps').db, reader(c), parseKeysetCursor(queryOf(c, ListQuery).sau)),
    pageProps(c),
  ]);
  return sendHtml(
    c,
    <Layout title="Thông báo" section="personal" {...props}>
      <section class="narrow">
        <NoticeList rows={page.rows} more={page.more} paths={PATHS} csrf={props.csrfToken} unread={props.unreadNotices} />
      </section>
    </Layout>,
  );
});

officialNoticeRoutes.post('/thong-bao/da-doc', async (c) => {
  await markNoticesRead(c.get('deps').db, ownerOfReader(reader(c)), await formData(c), c.get('deps').now());
  return c.redirect(PATHS.base, 303);
});

officialNoticeRoutes.get('/thong-bao/:id', async (c) => {
  const { notice, justRead } = await openNotice(c.get('deps').db, reader(c), idParam(c, 'Thông báo'), c.get('deps').now());
  // The menu's count was read with the session, before this opening marked the notice read.
  const before = c.get('unreadNotices');
  if (justRead && before < UNREAD_CAP) c.set('unreadNotices', Math.max(0, before - 1));
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title={notice.title} section="personal" {...props}>
      <section class="narrow">
        <NoticeView notice={notice} paths={PATHS} />
      </section>
    </Layout>,
  );
});

async function settingsPage(c: Ctx, saved: boolean, error: AppError | null) {
  const { db } = c.get('deps');
  const r = reader(c);
  const accountId = actorOf(c).accountId;
  const [choices, destinations, props] = await Promise.all([
    readPreferences(db, ownerOfReader(r)),
    officialDestinations(db, accountId),
    pageProps(c),
  ]);
  return sendHtml(
    c,
    <Layout title="Cài đặt thông báo" section="personal" {...props} address={postAnswerAddress(c, PATHS.settings)}>
      <section class="narrow">
        <PreferencesForm
          choices={choices}
          destinations={destinations}
          paths={PATHS}
          csrf={props.csrfToken}
          saved={saved}
          error={error?.message ?? null}
          changeHint="Số điện thoại di động và thư điện tử sửa ở Thông tin tài khoản."
          back={{ href: '/tiepnhan/tai-khoan', label: 'Thông tin tài khoản' }}
        />
      </section>
    </Layout>,
    error ? 400 : 200,
  );
}

officialNoticeRoutes.get('/tai-khoan/thong-bao', (c) => settingsPage(c, queryOf(c, SavedQuery).luu, null));

officialNoticeRoutes.post('/tai-khoan/thong-bao', async (c) => {
  const form = await formData(c);
  try {
    await saveNotificationPreferences(c.get('deps').db, actorOf(c), form, c.get('deps').now());
  } catch (err) {
    if (err instanceof AppError && err.status === 400) return settingsPage(c, false, err);
    throw err;
  }
  return c.redirect(`${PATHS.settings}?luu=1`, 303);
});
