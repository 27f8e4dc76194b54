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

// Quick and robust (issue 12, item 14): the widget starts its small proof of work when the form gets focus
// (auto="onfocus"); a solved box cannot be unticked into a refused login; and Đăng nhập never stops at an
// unsolved box — it finishes (or restarts, after expiry) the proof of work first, then submits.
for (const widget of document.querySelectorAll('altcha-widget')) {
  const form = widget.closest('form');
  if (!form) continue;
  const state = () => (typeof widget.getState === 'function' ? widget.getState() : 'unverified');
  widget.addEventListener(
    'click',
    (ev) => {
      if (state() === 'verified') {
        ev.preventDefault();
        ev.stopPropagation();
      }
    },
    true,
  );
  // On the button's click (Enter in a field clicks it too), before the browser's own check of the form, which
  // would stop at the still-unticked box with a bubble and send nothing.
  let submitting = false;
  form.addEventListener(
    'click',
    async (ev) => {
      const button = ev.target instanceof Element ? ev.target.closest('button[type="submit"], button:not([type])') : null;
      if (!button || !form.contains(button) || state() === 'verified') return;
      ev.preventDefault();
      if (submitting) return;
      submitting = true;
      try {
        if (state() !== 'verifying') {
          if (state() !== 'unverified') widget.reset();
          await widget.verify();
        } else {
          await new Promise((resolve) => {
            const done = () => {
              if (state() === 'verifying') return;
              widget.removeEventListener('statechange', done);
              resolve();
            };
            widget.addEventListener('statechange', done);
          });
        }
        if (state() === 'verified') form.requestSubmit(button);
      } finally {
        submitting = false;
      }
    },
    true,
  );
}
