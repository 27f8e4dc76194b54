// The self-hosted CAPTCHA widget (ALTCHA) with its SHA-256 worker served from our own origin,
// so the strict Content-Security-Policy holds and no third party is contacted.
import '/static/altcha/altcha.js';

const vi = {
  ariaLinkLabel: 'Altcha (trang web chính thức)',
  enterCode: 'Nhập mã',
  enterCodeAria: 'Nhập mã bạn nghe được. Nhấn phím cách để phát âm thanh.',
  error: 'Xác minh thất bại. Vui lòng thử lại sau.',
  expired: 'Xác minh đã hết hạn. Vui lòng thử lại.',
  footer: '',
  getAudioChallenge: 'Nhận thử thách âm thanh',
  label: 'Tôi không phải là người máy',
  loading: 'Đang tải...',
  reload: 'Tải lại',
  verify: 'Xác minh',
  verificationRequired: 'Vui lòng xác nhận "Tôi không phải là người máy".',
  verified: 'Đã xác minh',
  verifying: 'Đang xác minh...',
  waitAlert: 'Đang xác minh... vui lòng chờ.',
  cancel: 'Hủy bỏ',
  enterCodeFromImage: 'Để tiếp tục, vui lòng nhập mã từ hình ảnh bên dưới.',
};
globalThis.$altcha.i18n.set('vi', vi);
for (const alg of ['SHA-256', 'SHA-384', 'SHA-512']) {
  globalThis.$altcha.algorithms.set(alg, () => new Worker('/static/altcha/sha-worker.js'));
}
