import { Hono } from 'hono';
import { z } from 'zod';
import { delegationsInForce } from '../dossiers/access.js';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { atLocal } from '../calendar/working-time.js';
import { INBOX_TABS, listInbox, type InboxTab } from '../dossiers/inbox.js';
import { InboxPage } from './inbox-page.js';
import { agenciesOf, catalog, soonThreshold } from './page-data.js';

export const inboxRoutes = new Hono<AppEnv>();
inboxRoutes.use('*', requireLogin);

/** The inbox's filters, with the Vietnamese names of its form (the API takes InboxQuery). */
const InboxPageQuery = z.object({
  tab: param.oneOf(Object.keys(INBOX_TABS) as [InboxTab, ...InboxTab[]], 'Danh sách hồ sơ không hợp lệ.'),
  linhvuc: param.id('Mã lĩnh vực không hợp lệ.'),
  thutuc: param.id('Mã thủ tục không hợp lệ.'),
  han: param.oneOf(['con-han', 'sap-den-han', 'qua-han'], 'Tình trạng hạn không hợp lệ.'),
  tu: param.date('Từ ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.'),
  den: param.date('Đến ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.'),
  q: param.text(100, 'Từ khóa tìm kiếm tối đa 100 ký tự.'),
  after: param.text(80, 'Vị trí trang không hợp lệ.'),
  uyquyen: param.int(1, 2_147_483_647, 'Số ủy quyền không hợp lệ.'),
});

/** HỒ SƠ CẦN XỬ LÝ. */
inboxRoutes.get('/ho-so', async (c) => {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  const q = queryOf(c, InboxPageQuery);
  const tab = q.tab ?? 'cho-xu-ly';
  const day = (iso: string | undefined, plus = 0) => (iso ? new Date(atLocal(iso, 0).getTime() + plus * 86_400_000) : undefined);
  const soon = await soonThreshold(c, now);
  const filter = {
    tab,
    sectorId: q.linhvuc,
    procedureId: q.thutuc,
    dueState: q.han,
    from: day(q.tu),
    to: day(q.den, 1),
    q: q.q,
    after: q.after,
  };
  // The delegations in force lent to the official: a tab each; the chosen one is read again on every request, so
  // one ended or expired a moment ago is gone from the very next page. Only a delegated tab needs them before the
  // list; the own inbox reads them beside it.
  const lentRead = delegationsInForce(db, actorOf(c), now);
  const lent = q.uyquyen === undefined ? [] : await lentRead;
  // A tab whose delegation is gone (a bookmark, a page left open) shows the official's own dossiers and says why.
  const via = q.uyquyen === undefined ? null : (lent.find((l) => l.id === q.uyquyen) ?? null);
  const gone =
    q.uyquyen !== undefined && !via
      ? `Ủy quyền số ${q.uyquyen} đã kết thúc, hết hạn hoặc không phải của bạn: bạn không còn xử lý hồ sơ thay người ủy quyền. Dưới đây là hồ sơ của bạn.`
      : null;
  const [result, tabs, { sectors: sectorRows, procedures }, props, agencies] = await Promise.all([
    listInbox(db, actorOf(c), filter, now, soon, via),
    lentRead,
    catalog(c),
    pageProps(c),
    agenciesOf(c),
  ]);
  const raw = c.req.query();
  const keep = Object.fromEntries(
    Object.entries(raw).filter(
      ([k, v]) => ['tab', 'q', 'linhvuc', 'thutuc', 'han', 'tu', 'den', ...(via ? ['uyquyen'] : [])].includes(k) && v,
    ),
  );
  return c.html(
    <Layout title="Hồ sơ cần xử lý" section="dossiers" {...props}>
      <InboxPage
        tab={tab}
        counts={result.counts}
        rows={result.rows}
        next={result.next}
        query={keep}
        sectors={sectorRows}
        procedures={procedures}
        now={now}
        soon={soon}
        agencies={agencies}
        delegations={tabs}
        via={via?.id ?? null}
        receives={props.receives}
        notice={gone}
      />
    </Layout>,
  );
});
