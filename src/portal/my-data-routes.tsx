/**
 * Dữ liệu của tôi (/ca-nhan/du-lieu): everything the system holds about the logged-in citizen, grouped and readable
 * (my-data.ts), and Tải xuống toàn bộ dữ liệu (a POST: it writes an audit row and counts against a limit), the ZIP of
 * my-data-export.ts sent through web/download.ts.
 */
import { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../web/env.js';
import type { Ctx } from '../web/http.js';
import { CsrfField, Flash } from '../web/layout.js';
import { sendFile } from '../web/download.js';
import { AppError } from '../shared/errors.js';
import { formatDate, formatDateTime } from '../shared/dates.js';
import { CHANNELS, type Applicant } from '../db/schema/index.js';
import type { PaymentStatus } from '../db/schema/payments.js';
import { formatVnd } from '../payments/amount-words.js';
import { answerText } from '../dossiers/declaration-answers.js';
import { sizeText } from '../personal-files/files.js';
import { PortalPage } from './layout.js';
import { requireCitizen } from './citizen-context.js';
import { readMyData, type MyData } from './my-data.js';
import { exportMyData } from './my-data-export.js';
import { MyNotificationsView } from '../notify/my-notifications-view.js';
import { sendHtml } from '../web/send-html.js';

export const myDataRoutes = new Hono<AppEnv>();

const BASE = '/ca-nhan/du-lieu';
/** The page shows the latest rows of the activity log; the ZIP has them all. */
const ACTIVITY_SHOWN = 200;

const GENDER = { male: 'Nam', female: 'Nữ' } as const;
const FILE_KIND = {
  submitted: 'Tệp đã nộp',
  supplement: 'Tệp bổ sung',
  result: 'Kết quả giải quyết',
  scan: 'Bản quét khi tiếp nhận',
} as const;
const PAYMENT_STATUS: Record<PaymentStatus, string> = {
  pending: 'Đang chờ thanh toán',
  paid: 'Đã thanh toán',
  failed: 'Không thành công',
  abandoned: 'Đã bỏ',
  refund_due: 'Chờ hoàn trả',
  refunded: 'Đã hoàn trả',
};
const METHOD: Record<string, string> = { vneid: 'VNeID', sso: 'Hệ thống xác thực tập trung' };
const ACTIVITY: Record<string, string> = {
  'portal.login': 'Đăng nhập',
  'portal.logout': 'Đăng xuất',
  'dossier.submit': 'Nộp hồ sơ',
  'dossier.withdraw': 'Rút hồ sơ',
  'dossier.supplement_received': 'Gửi hồ sơ bổ sung',
  'dossier.rate': 'Đánh giá mức độ hài lòng',
  'personal_file.upload': 'Tải lên tập tin cá nhân',
  'personal_file.rename': 'Đổi tên tập tin cá nhân',
  'personal_file.delete': 'Xóa tập tin cá nhân',
  'payment.started': 'Thanh toán lệ phí',
  'payment.resumed': 'Tiếp tục thanh toán lệ phí',
  'payment.abandoned': 'Hủy lệnh thanh toán lệ phí',
  'citizen.data_export': 'Tải xuống toàn bộ dữ liệu',
  'notify.preferences': 'Thay đổi cài đặt thông báo',
};

function Facts(p: { rows: Array<[string, string | null | undefined]> }) {
  return (
    <dl class="facts">
      {p.rows.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{v || '—'}</dd>
        </>
      ))}
    </dl>
  );
}

function Section(p: { id: string; title: string; count?: number; children: Child }) {
  return (
    <section aria-labelledby={p.id}>
      <h2 id={p.id}>
        {p.title}
        {p.count === undefined ? '' : ` (${p.count})`}
      </h2>
      {p.children}
    </section>
  );
}

function applicantRows(a: Applicant): Array<[string, string | null | undefined]> {
  return [
    ['Họ và tên', a.fullName],
    ['Số định danh cá nhân', a.cccd],
    ...(a.organisation || a.taxCode
      ? ([
          ['Tổ chức', a.organisation],
          ['Mã số thuế', a.taxCode],
        ] as Array<[string, string | null | undefined]>)
      : []),
    ['Ngày sinh', formatDate(a.dateOfBirth)],
    ['Giới tính', a.gender ? GENDER[a.gender] : null],
    ['Địa chỉ', a.address],
    ['Số điện thoại', a.phone],
    ['Thư điện tử', a.email],
    ...(a.representative
      ? ([
          ['Người được ủy quyền nộp', `${a.representative.fullName}${a.representative.cccd ? ` (${a.representative.cccd})` : ''}`],
        ] as Array<[string, string]>)
      : []),
  ];
}

function Dossiers(p: { list: MyData['dossiers'] }) {
  if (!p.list.length) return <p>Chưa có hồ sơ nào.</p>;
  return (
    <ul class="dossier-list">
      {p.list.map((d) => (
        <li>
          <details>
            <summary>
              <strong>{d.procedure}</strong> — Mã hồ sơ {d.code} — {d.statusLabel}
            </summary>
            <Facts
              rows={[
                ['Cơ quan tiếp nhận', d.agency],
                ['Hình thức', CHANNELS[d.channel]],
                ['Nguồn', d.submittedByMe ? 'Bạn nộp trực tuyến' : 'Hồ sơ đứng tên số định danh của bạn'],
                ['Ngày nộp', formatDateTime(d.createdAt)],
                ['Mã tra cứu', d.lookupCode],
                ['Ngày tiếp nhận', formatDateTime(d.receivedAt)],
                ['Hẹn trả kết quả', formatDateTime(d.dueAt)],
                ['Ngày trả kết quả', formatDateTime(d.returnedAt)],
              ]}
            />
            <h3>Thông tin người nộp hồ sơ</h3>
            <Facts rows={applicantRows(d.applicant)} />
            {d.declaration?.length ? (
              <>
                <h3>Tờ khai</h3>
                <Facts rows={d.declaration.map((a) => [a.label, answerText(a)])} />
              </>
            ) : null}
            <h3>Quá trình xử lý</h3>
            <ol class="history">
              {d.history.map((h) => (
                <li>
                  <strong>{h.label}</strong> — {formatDateTime(h.at)} — {h.by}
                  {h.note ? <p>{h.note}</p> : null}
                </li>
              ))}
            </ol>
            <h3>Tệp</h3>
            {d.files.length ? (
              <ul>
                {d.files.map((f) => (
                  <li>
                    <a href={`/ca-nhan/ho-so/${d.id}/tep/${f.id}`}>{f.name}</a> ({sizeText(f.size)}) — {FILE_KIND[f.kind]}
                    {f.documentLabel ? `: ${f.documentLabel}` : ''}
                  </li>
                ))}
              </ul>
            ) : (
              <p>Không có tệp.</p>
            )}
          </details>
        </li>
      ))}
    </ul>
  );
}

async function myDataPage(c: Ctx, error?: { err: AppError; status: 413 | 429 }) {
  const { citizen } = await requireCitizen(c);
  const { data } = await readMyData(c.get('deps').db, citizen, c.get('deps').now());
  const id = data.identity;
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Dữ liệu của tôi',
      <>
        <p>
          <a href="/ca-nhan">← Trang cá nhân</a>
        </p>
        <h1>Dữ liệu của tôi</h1>
        <p>
          Toàn bộ dữ liệu hệ thống đang lưu về bạn, theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân. Bạn có thể tải xuống tất cả
          trong một tệp ZIP (dữ liệu dạng JSON cùng các tệp).
        </p>
        {error ? <Flash kind="error">{error.err.message}</Flash> : null}
        <form method="post" action={`${BASE}/tai-xuong`}>
          <CsrfField token={c.get('csrfToken')} />
          <button type="submit" class="primary">
            Tải xuống toàn bộ dữ liệu
          </button>
        </form>
        <Section id="dinh-danh" title="Thông tin định danh (từ VNeID)">
          <Facts
            rows={[
              ['Họ và tên', id.fullName],
              ['Loại tài khoản', id.accountType === 'organisation' ? 'Tổ chức, doanh nghiệp' : 'Cá nhân'],
              ['Số định danh cá nhân', id.cccd],
              ['Mã số thuế', id.taxCode],
              ['Tên doanh nghiệp', id.businessName],
              ['Ngày sinh', formatDate(id.dateOfBirth)],
              ['Giới tính', id.gender ? GENDER[id.gender] : null],
              ['Địa chỉ', id.address],
              ['Số điện thoại', id.phone],
              ['Thư điện tử', id.email],
              ['Mức độ định danh', `Mức độ ${id.loa}`],
              ['Lần đầu đăng nhập', formatDateTime(id.createdAt)],
              ['Lần đăng nhập gần nhất', formatDateTime(id.lastLoginAt)],
            ]}
          />
        </Section>
        <Section id="phien" title="Phiên đăng nhập" count={data.sessions.length}>
          {data.sessions.length ? (
            <ul>
              {data.sessions.map((s) => (
                <li>
                  {formatDateTime(s.createdAt)} — {METHOD[s.method] ?? s.method}
                  {s.loa ? `, mức độ ${s.loa}` : ''} — hoạt động lần cuối {formatDateTime(s.lastSeenAt)}
                  <br />
                  <span class="muted">
                    Địa chỉ IP {s.ip ?? '—'} · Thiết bị: {s.userAgent ?? '—'}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p>Không có phiên nào đang được lưu.</p>
          )}
        </Section>
        <Section id="ho-so" title="Hồ sơ" count={data.dossiers.length}>
          <Dossiers list={data.dossiers} />
        </Section>
        <Section id="ban-nhap" title="Hồ sơ đang soạn" count={data.drafts.length}>
          {data.drafts.length ? (
            <ul>
              {data.drafts.map((d) => (
                <li>
                  {d.procedure || 'Thủ tục'} — lưu lúc {formatDateTime(d.updatedAt)} — {d.files.length} tệp:{' '}
                  {d.files.map((f) => f.name).join(', ') || '—'}
                </li>
              ))}
            </ul>
          ) : (
            <p>Không có hồ sơ đang soạn.</p>
          )}
        </Section>
        <Section id="thanh-toan" title="Thanh toán lệ phí" count={data.payments.length}>
          {data.payments.length ? (
            <ul>
              {data.payments.map((p) => (
                <li>
                  Hồ sơ {p.dossierCode ?? '—'}: {formatVnd(p.amount)} đồng — {PAYMENT_STATUS[p.status]} —{' '}
                  {formatDateTime(p.paidAt ?? p.createdAt)}
                  {p.refundedAt ? ` — hoàn trả ${formatDateTime(p.refundedAt)}` : ''}
                  {p.transactionId ? ` — mã giao dịch ${p.transactionId}` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p>Chưa có giao dịch nào.</p>
          )}
        </Section>
        <Section id="danh-gia" title="Đánh giá" count={data.ratings.length}>
          {data.ratings.length ? (
            <ul>
              {data.ratings.map((r) => (
                <li>
                  Hồ sơ {r.dossierCode ?? '—'}: {r.score}/5 — {formatDateTime(r.at)}
                  {r.comment ? ` — “${r.comment}”` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p>Chưa có đánh giá nào.</p>
          )}
        </Section>
        <Section id="tap-tin" title="Tập tin cá nhân" count={data.personalFiles.length}>
          {data.personalFiles.length ? (
            <ul>
              {data.personalFiles.map((f) => (
                <li>
                  {f.deletedAt ? f.name : <a href={`/ca-nhan/tap-tin/${f.id}/tai-ve`}>{f.name}</a>} ({sizeText(f.size)}) —{' '}
                  {f.source === 'issued' ? `Kết quả do ${f.issuedBy ?? 'cơ quan'} cấp` : 'Bạn tải lên'} — {formatDateTime(f.createdAt)}
                  {f.deletedAt ? ` — đã xóa lúc ${formatDateTime(f.deletedAt)}` : ''}
                </li>
              ))}
            </ul>
          ) : (
            <p>Chưa có tập tin nào.</p>
          )}
        </Section>
        <Section id="thong-bao" title="Thông báo đã gửi cho bạn" count={data.notifications.length}>
          <MyNotificationsView notifications={data.notifications} preferences={data.notificationPreferences} />
        </Section>
        <Section id="nhat-ky" title="Nhật ký thao tác của bạn" count={data.activity.length}>
          {data.activity.length > ACTIVITY_SHOWN ? (
            <p class="muted">Hiển thị {ACTIVITY_SHOWN} thao tác gần nhất; tệp tải xuống có đầy đủ.</p>
          ) : null}
          {data.activity.length ? (
            <ul>
              {data.activity.slice(0, ACTIVITY_SHOWN).map((a) => (
                <li>
                  {formatDateTime(a.at)} — {ACTIVITY[a.action] ?? a.action}
                  {a.ip ? <span class="muted"> · Địa chỉ IP {a.ip}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p>Chưa có thao tác nào.</p>
          )}
        </Section>
      </>,
      { address: BASE },
    ),
    error?.status ?? 200,
  );
}

myDataRoutes.get(BASE, (c) => myDataPage(c));

myDataRoutes.post(`${BASE}/tai-xuong`, async (c) => {
  const { actor, citizen } = await requireCitizen(c);
  const deps = c.get('deps');
  try {
    const zip = await exportMyData(deps.db, actor, citizen, deps.now());
    return await sendFile(c, zip, { 'Cache-Control': 'private, no-store' });
  } catch (err) {
    if (err instanceof AppError && (err.status === 413 || err.status === 429)) return myDataPage(c, { err, status: err.status });
    throw err;
  }
});
