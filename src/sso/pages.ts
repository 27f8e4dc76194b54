/**
 * The few pages oidc-provider renders itself (an error it cannot redirect back, the logout question, the page
 * after logout), in Vietnamese. Plain strings: the provider writes them into its own (Koa) response.
 */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} — Hệ thống xác thực tập trung</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** OAuth error codes an official may meet in the browser, in words. */
const ERROR_WORDS: Record<string, string> = {
  invalid_client: 'Ứng dụng không được đăng ký hoặc đã bị vô hiệu hóa.',
  invalid_redirect_uri: 'Địa chỉ quay về của ứng dụng không khớp với địa chỉ đã đăng ký.',
  invalid_request: 'Yêu cầu đăng nhập không hợp lệ.',
  invalid_scope: 'Ứng dụng yêu cầu thông tin không được phép.',
  access_denied: 'Bạn không được phép đăng nhập vào ứng dụng này.',
  session_not_found: 'Phiên đăng nhập đã hết hạn. Vui lòng mở lại ứng dụng và đăng nhập lại.',
};

export function errorPage(out: { error: string; error_description?: string | undefined }): string {
  const words = ERROR_WORDS[out.error] ?? 'Không thể hoàn tất đăng nhập.';
  return page('Không thể đăng nhập', `<p>${escapeHtml(words)}</p><p><small>Mã lỗi: ${escapeHtml(out.error)}</small></p>`);
}

/** `form` is the provider's own hidden form (its action, xsrf token); our buttons submit it. */
export function logoutPage(form: string): string {
  return page(
    'Đăng xuất',
    `${form}<p>Bạn có muốn đăng xuất khỏi Hệ thống xác thực tập trung và các ứng dụng đã đăng nhập qua hệ thống?</p><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Đăng xuất</button> <button type="submit" form="op.logoutForm">Không, tiếp tục làm việc</button>`,
  );
}

export function loggedOutPage(clientName: string | undefined): string {
  return page('Đã đăng xuất', `<p>Bạn đã đăng xuất${clientName ? ` khỏi ${escapeHtml(clientName)}` : ''}.</p>`);
}
