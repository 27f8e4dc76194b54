import { Hono } from 'hono';
import { delegationsInForce } from '../dossiers/access.js';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { INT4_MAX, param } from '../shared/validate.js';
import { leadsOf, listFilterQuery, readFilters, receptionPeriod } from './list-filters.js';
import { trackingRoutes } from './tracking-routes.js';
import { INBOX_TABS, listInbox, type InboxTab } from '../dossiers/inbox.js';
import { InboxPage } from './inbox-page.js';
import { agenciesOf, delegationTabs, inboxChoices, soonThreshold } from './page-data.js';
import { sendHtml } from '../web/send-html.js';

export const inboxRoutes = new Hono<AppEnv>();
inboxRoutes.use('*', requireLogin);
// The lists beside the inbox (Hồ sơ đã tiếp nhận, Theo dõi, Tất cả hồ sơ) and the Mẫu 07 form.
inboxRoutes.route('/', trackingRoutes);

/** The inbox's filters, with the Vietnamese names of its form (list-filters.ts; the API takes InboxQuery). */
const InboxPageQuery = listFilterQuery({
  tab: param.oneOf(Object.keys(INBOX_TABS) as [InboxTab, ...InboxTab[]], 'Danh sách hồ sơ không hợp lệ.'),
  uyquyen: param.int(1, INT4_MAX, 'Số ủy quyền không hợp lệ.'),
});

/** HỒ SƠ CẦN XỬ LÝ. */
inboxRoutes.get('/ho-so', async (c) => {
  const { db, now: clock } = c.get('deps');
  const now = clock();
  // A filter that cannot be read is said at its field (400); the list is then of no filter at all, so none is shown.
  const read = readFilters(c, InboxPageQuery);
  const q = read.ok ? read.q : { tab: undefined, uyquyen: undefined };
  const tab = q.tab ?? 'cho-xu-ly';
  const soon = await soonThreshold(c, now);
  const filter = read.ok
    ? {
        tab,
        sectorId: read.q.linhvuc,
        procedureId: read.q.thutuc,
        dueState: read.q.han,
        ...receptionPeriod(read.q.tu, read.q.den),
        q: read.q.q,
        after: read.q.after,
      }
    : { tab, limit: 1 };
  // The delegations in force lent to the official: a tab each. A delegated tab reads them afresh before its list, so
  // one ended or expired a moment ago is gone from the very next page; the own inbox shows them as page chrome.
  const lentRead = q.uyquyen === undefined ? delegationTabs(c, now) : delegationsInForce(db, actorOf(c), now);
  const lent = q.uyquyen === undefined ? [] : await lentRead;
  // A tab whose delegation is gone (a bookmark, a page left open) shows the official's own dossiers and says why.
  const via = q.uyquyen === undefined ? null : (lent.find((l) => l.id === q.uyquyen) ?? null);
  const gone =
    q.uyquyen !== undefined && !via
      ? `Ủy quyền số ${q.uyquyen} đã kết thúc, hết hạn hoặc không phải của bạn: bạn không còn xử lý hồ sơ thay người ủy quyền. Dưới đây là hồ sơ của bạn.`
      : null;
  const [result, tabs, { sectors: sectorRows, procedures }, props, agencies, isLeader] = await Promise.all([
    listInbox(db, actorOf(c), filter, now, soon, via),
    lentRead,
    inboxChoices(c, via, read.ok ? { sectorId: read.q.linhvuc, procedureId: read.q.thutuc } : {}),
    pageProps(c),
    agenciesOf(c),
    leadsOf(c),
  ]);
  const raw = c.req.query();
  const keep = Object.fromEntries(
    Object.entries(raw).filter(
      ([k, v]) => ['tab', 'q', 'linhvuc', 'thutuc', 'han', 'tu', 'den', ...(via ? ['uyquyen'] : [])].includes(k) && v,
    ),
  );
  return sendHtml(
    c,
    <Layout title="Hồ sơ cần xử lý" section="dossiers" {...props}>
      <InboxPage
        tab={tab}
        counts={result.counts}
        rows={read.ok ? result.rows : []}
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
        leads={isLeader}
        errors={read.ok ? undefined : read.fields}
        assigned={result.assigned}
        mine={via?.delegatorId ?? actorOf(c).accountId}
      />
    </Layout>,
    read.ok ? 200 : 400,
  );
});
