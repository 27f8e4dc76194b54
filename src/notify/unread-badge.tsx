import { unreadLabel } from './unread.js';

/** Thông báo's count in a menu: "3" read as "3 chưa đọc"; nothing when all are read. */
export function UnreadBadge(p: { count: number }) {
  const label = unreadLabel(p.count);
  return label ? (
    <>
      {' '}
      <span class="badge warn unread-count">{label}</span>
      <span class="visually-hidden"> chưa đọc</span>
    </>
  ) : null;
}
