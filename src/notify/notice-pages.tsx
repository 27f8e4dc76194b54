/**
 * Thông báo's screens, the same on the portal (/ca-nhan/thong-bao) and in the one-stop system (/tiepnhan/thong-bao):
 * the list, one notice, Cài đặt thông báo. The routes wrap them in their own page frame.
 */
import { CsrfField, Flash } from '../web/layout.js';
import { formatDateTime } from '../shared/dates.js';
import { CHANNEL_LABELS, type ExternalChannel } from './channels.js';
import type { Notice } from './notice-queries.js';
import { SWITCHABLE } from './notice-owner.js';
import type { ChannelChoices, Destination, Destinations } from './preference-queries.js';

/** Where each frame has its pages. */
export type NoticePaths = { base: string; dossier: (id: string) => string; settings: string };

export function NoticeList(p: { rows: Notice[]; more: boolean; paths: NoticePaths; csrf: string; unread: number }) {
  const last = p.rows[p.rows.length - 1];
  return (
    <>
      <h1>Thông báo</h1>
      <p>
        <a href={p.paths.settings}>Cài đặt thông báo</a>
      </p>
      {p.unread > 0 ? (
        <form method="post" action={`${p.paths.base}/da-doc`} class="inline">
          <CsrfField token={p.csrf} />
          <button type="submit">Đánh dấu tất cả là đã đọc</button>
        </form>
      ) : null}
      {p.rows.length ? (
        <ul class="notice-list">
          {p.rows.map((n) => (
            <li class={n.readAt ? 'notice' : 'notice unread'} id={`tb-${n.id}`}>
              {n.readAt ? null : <span class="badge warn">Mới</span>}{' '}
              <a href={`${p.paths.base}/${n.id}`}>{n.readAt ? n.title : <strong>{n.title}</strong>}</a>
              <br />
              <span class="muted">{formatDateTime(n.createdAt)}</span>
              {n.dossier ? (
                <>
                  {' '}
                  · Hồ sơ <a href={p.paths.dossier(n.dossier.id)}>{n.dossier.code}</a>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">Chưa có thông báo nào.</p>
      )}
      {p.more && last ? (
        <p>
          <a href={`${p.paths.base}?sau=${encodeURIComponent(last.cursor)}`}>Trang sau →</a>
        </p>
      ) : null}
    </>
  );
}

export function NoticeView(p: { notice: Notice; paths: NoticePaths }) {
  const n = p.notice;
  return (
    <>
      <p>
        <a href={p.paths.base}>← Thông báo</a>
      </p>
      <article class="notice-view" id={`tb-${n.id}`}>
        <h1>{n.title}</h1>
        <p class="muted">{formatDateTime(n.createdAt)}</p>
        {n.body.split('\n').map((line) => (
          <p>{line}</p>
        ))}
        {n.dossier ? (
          <p>
            Hồ sơ: <a href={p.paths.dossier(n.dossier.id)}>{n.dossier.code}</a>
          </p>
        ) : null}
      </article>
    </>
  );
}

const CHOICE_NOTES: Record<ExternalChannel, string> = {
  zns: 'Tin nhắn Zalo từ tài khoản chính thức, gửi đến số điện thoại bên dưới.',
  sms: 'Tin nhắn SMS, gửi đến số điện thoại bên dưới (cũng dùng khi tin Zalo không đến được).',
  email: 'Thư điện tử, gửi đến địa chỉ bên dưới.',
};

function DestinationList(p: { title: string; items: Destination[]; none: string; id: string }) {
  return (
    <>
      <h2 id={p.id}>{p.title}</h2>
      {p.items.length ? (
        <ul>
          {p.items.map((d) => (
            <li>
              <strong>{d.value}</strong> <span class="muted">— {d.source}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{p.none}</p>
      )}
    </>
  );
}

export function PreferencesForm(p: {
  choices: ChannelChoices;
  destinations: Destinations;
  paths: NoticePaths;
  csrf: string;
  saved: boolean;
  error: string | null;
  /** Where the addresses can be changed, said under them. */
  changeHint: string;
  back: { href: string; label: string };
}) {
  return (
    <>
      <p>
        <a href={p.back.href}>← {p.back.label}</a>
      </p>
      <h1>Cài đặt thông báo</h1>
      {p.saved ? <Flash kind="ok">Đã lưu cài đặt thông báo.</Flash> : null}
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      <form method="post" action={p.paths.settings} class="stack">
        <CsrfField token={p.csrf} />
        <fieldset>
          <legend>Nhận thông báo qua</legend>
          <label class="check">
            <input type="checkbox" checked disabled /> {CHANNEL_LABELS.inapp} (luôn bật)
          </label>
          {SWITCHABLE.map((ch) => (
            <label class="check">
              <input type="checkbox" name={ch} id={`kenh-${ch}`} checked={p.choices[ch]} /> {CHANNEL_LABELS[ch]}
              <span class="muted"> — {CHOICE_NOTES[ch]}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary">
          Lưu
        </button>
      </form>
      <DestinationList
        id="so-dien-thoai"
        title="Số điện thoại nhận tin"
        items={p.destinations.phones}
        none="Chưa có số điện thoại di động."
      />
      <DestinationList id="thu-dien-tu" title="Địa chỉ thư điện tử" items={p.destinations.emails} none="Chưa có địa chỉ thư điện tử." />
      <p class="muted">{p.changeHint}</p>
    </>
  );
}
