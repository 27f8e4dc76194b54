/**
 * Thông báo on the portal (/ca-nhan/thong-bao): the citizen's in-app notices, one notice (opening it marks it read:
 * open-notice.ts says why a GET may), Đánh dấu đã đọc, and Cài đặt thông báo. Parse → call → render; who sees what
 * is notice-owner.ts's.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { requireCitizen } from '../portal/citizen-context.js';
import { PortalPage } from '../portal/layout.js';
import { AppError } from '../shared/errors.js';
import { param } from '../shared/validate.js';
import type { AppEnv } from '../web/env.js';
import { formData, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { markNoticesRead } from './mark-notices-read.js';
import { type NoticeReader, ownerOfReader } from './notice-owner.js';
import { NoticeList, type NoticePaths, NoticeView, PreferencesForm } from './notice-pages.js';
import { listNotices } from './notice-queries.js';
import { parseKeysetCursor } from '../db/keyset-cursor.js';
import { openNotice } from './open-notice.js';
import { citizenDestinations, readPreferences } from './preference-queries.js';
import { saveNotificationPreferences } from './save-notification-preferences.js';
import { UNREAD_CAP } from './unread.js';
import { sendHtml } from '../web/send-html.js';

export const portalNoticeRoutes = new Hono<AppEnv>();

const PATHS: NoticePaths = {
  base: '/ca-nhan/thong-bao',
  dossier: (id) => `/ca-nhan/ho-so/${id}`,
  settings: '/ca-nhan/thong-bao/cai-dat',
};

const ListQuery = z.object({ sau: param.text(100, 'Trang không hợp lệ.') });
const SavedQuery = z.object({ luu: param.flag() });

async function reader(c: Ctx) {
  const { citizen, actor } = await requireCitizen(c);
  return { citizen, actor, reader: { kind: 'citizen', citizen } satisfies NoticeReader };
}

portalNoticeRoutes.get('/ca-nhan/thong-bao', async (c) => {
  const { reader: r } = await reader(c);
  const page = await listNotices(c.get('deps').db, r, parseKeysetCursor(queryOf(c, ListQuery).sau));
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Thông báo',
      <NoticeList rows={page.rows} more={page.more} paths={PATHS} csrf={c.get('csrfToken')} unread={c.get('citizenUnreadNotices')} />,
    ),
  );
});

async function settingsPage(c: Ctx, saved: boolean, error: AppError | null) {
  const { citizen, reader: r } = await reader(c);
  const { db } = c.get('deps');
  const [choices, destinations] = await Promise.all([readPreferences(db, ownerOfReader(r)), citizenDestinations(db, citizen)]);
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Cài đặt thông báo',
      <PreferencesForm
        choices={choices}
        destinations={destinations}
        paths={PATHS}
        csrf={c.get('csrfToken')}
        saved={saved}
        error={error?.message ?? null}
        changeHint="Số điện thoại và thư điện tử lấy từ tài khoản VNeID ở mỗi lần đăng nhập; tin về một hồ sơ được gửi đến liên hệ đã khai trên hồ sơ đó."
        back={{ href: PATHS.base, label: 'Thông báo' }}
      />,
      { address: PATHS.settings },
    ),
    error ? 400 : 200,
  );
}

portalNoticeRoutes.get('/ca-nhan/thong-bao/cai-dat', (c) => settingsPage(c, queryOf(c, SavedQuery).luu, null));

portalNoticeRoutes.post('/ca-nhan/thong-bao/cai-dat', async (c) => {
  const { actor } = await reader(c);
  const form = await formData(c);
  try {
    await saveNotificationPreferences(c.get('deps').db, actor, form, c.get('deps').now());
  } catch (err) {
    if (err instanceof AppError && err.status === 400) return settingsPage(c, false, err);
    throw err;
  }
  return c.redirect(`${PATHS.settings}?luu=1`, 303);
});

portalNoticeRoutes.post('/ca-nhan/thong-bao/da-doc', async (c) => {
  const { reader: r } = await reader(c);
  await markNoticesRead(c.get('deps').db, ownerOfReader(r), await formData(c), c.get('deps').now());
  return c.redirect(PATHS.base, 303);
});

portalNoticeRoutes.get('/ca-nhan/thong-bao/:id', async (c) => {
  const { reader: r } = await reader(c);
  const { notice, justRead } = await openNotice(c.get('deps').db, r, idParam(c, 'Thông báo'), c.get('deps').now());
  // The menu's count was read with the session, before this opening marked the notice read.
  const before = c.get('citizenUnreadNotices');
  if (justRead && before < UNREAD_CAP) c.set('citizenUnreadNotices', Math.max(0, before - 1));
  return sendHtml(c, await PortalPage(c, notice.title, <NoticeView notice={notice} paths={PATHS} />));
});
