/**
 * The one error type. Each error has a stable code (for the API, logs and tests),
 * a Vietnamese message for users, an HTTP status, and optionally per-field messages.
 */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: FieldErrors | undefined;
  /** Sent as Retry-After with the answer (app.tsx): when to come back to a server that is busy. */
  readonly retryAfterSeconds: number | undefined;
  /** `options.cause`: what went wrong underneath (a database error), for the log only — never shown. */
  constructor(
    code: string,
    message: string,
    status = 400,
    fields?: FieldErrors,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** Named factories: one place for each stable id and its message. */
export const errors = {
  validation: (fields: FieldErrors) =>
    new AppError('validation_failed', 'Thông tin nhập chưa hợp lệ. Vui lòng kiểm tra các ô được đánh dấu.', 400, fields),
  /** A query parameter of the address that cannot be read: the first one is named in the message. */
  invalidQuery: (fields: FieldErrors) => {
    const [name, message] = Object.entries(fields)[0] ?? ['_', 'Giá trị không hợp lệ.'];
    return new AppError('invalid_query', `Tham số "${name}" trên địa chỉ trang không hợp lệ: ${message}`, 400, fields);
  },
  notFound: (what = 'Đối tượng') => new AppError('not_found', `${what} không tồn tại hoặc bạn không có quyền xem.`, 404),
  forbidden: () => new AppError('forbidden', 'Bạn không có quyền thực hiện thao tác này.', 403),
  unauthenticated: () => new AppError('unauthenticated', 'Vui lòng đăng nhập để tiếp tục.', 401),
  csrf: () =>
    new AppError('csrf_failed', 'Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.', 403),
  conflict: (message: string) => new AppError('conflict', message, 409),
  /** The database server cannot be reached right now (stopped, restarting, connections lost): try again later. */
  /**
   * The process already builds as many documents as it may at once (shared/slots.ts): come back shortly — or, behind
   * the load balancer, another instance takes it (deploy/haproxy.cfg retries a refused GET elsewhere).
   */
  busy: (what: string, retryAfterSeconds: number) =>
    new AppError('busy', `Hệ thống đang bận ${what}. Vui lòng thử lại sau ${retryAfterSeconds} giây.`, 503, undefined, {
      retryAfterSeconds,
    }),
  databaseUnavailable: () =>
    new AppError('database_unavailable', 'Hệ thống đang tạm gián đoạn kết nối cơ sở dữ liệu. Vui lòng thử lại sau ít phút.', 503),
  /**
   * A statement of the request ran past DB_STATEMENT_TIMEOUT_MS and was cancelled (its transaction rolled back). 504, not
   * 503: a load balancer that retries a 503 on another instance (deploy/haproxy.cfg) must not run it again at once.
   */
  databaseTimeout: () =>
    new AppError('database_timeout', 'Yêu cầu mất quá nhiều thời gian để xử lý nên đã được dừng lại. Vui lòng thử lại sau ít phút.', 504),
  /** Uploads: `what` names the file ("tệp mẫu"), `allowed` lists the accepted kinds. */
  fileMissing: (what: string) => new AppError('file_missing', `Vui lòng chọn ${what}.`, 400, { file: `Vui lòng chọn ${what}.` }),
  fileTooLarge: (maxMb: number) =>
    new AppError('file_too_large', `Tệp quá lớn (tối đa ${maxMb} MB).`, 413, { file: `Tệp quá lớn (tối đa ${maxMb} MB).` }),
  fileType: (allowed: string) =>
    new AppError('file_type_not_allowed', `Nội dung tệp không đúng định dạng cho phép. Chỉ nhận ${allowed}.`, 415, {
      file: `Chỉ nhận ${allowed}.`,
    }),
  usernameTaken: () =>
    new AppError('username_taken', 'Tên tài khoản đã được sử dụng.', 409, { username: 'Tên tài khoản đã được sử dụng.' }),
  unitInactive: () => new AppError('unit_inactive', 'Đơn vị đã ngừng hoạt động hoặc đã được sáp nhập.', 409),
  invalidCredentials: () => new AppError('invalid_credentials', 'Tên tài khoản hoặc mật khẩu không đúng.', 401),
  loginLocked: (minutes: number) =>
    new AppError('login_locked', `Đăng nhập tạm thời bị khóa do nhập sai nhiều lần. Vui lòng thử lại sau ${minutes} phút.`, 429),
  captchaFailed: () => new AppError('captcha_failed', 'Vui lòng xác nhận "Tôi không phải là người máy" trước khi đăng nhập.', 400),
  passwordLoginClosed: (cutoffIso: string) =>
    new AppError(
      'password_login_closed',
      `Từ ngày ${cutoffIso.slice(8, 10)}/${cutoffIso.slice(5, 7)}/${cutoffIso.slice(0, 4)}, cán bộ chỉ đăng nhập bằng tài khoản VNeID. Vui lòng bấm "Đăng nhập bằng tài khoản VNEID".`,
      403,
    ),
  /** The break-glass code step (login-with-code.ts): a wrong or replayed code before the limit, and the tries left. */
  totpInvalid: (left: number) => new AppError('totp_invalid', `Mã xác thực không đúng hoặc đã được sử dụng. Bạn còn ${left} lần thử.`, 401),
  /** A cookie call of the JSON API while the session's account must change its temporary password first. */
  passwordChangeRequired: () =>
    new AppError(
      'password_change_required',
      'Tài khoản đang dùng mật khẩu tạm thời: vui lòng đổi mật khẩu tại /tiepnhan/doi-mat-khau trước khi tiếp tục.',
      403,
    ),
  /** A cookie call of the JSON API with a password session its unit's VNeID-only cutoff ended. */
  passwordSessionClosed: () =>
    new AppError(
      'password_session_closed',
      'Đơn vị của bạn đã chuyển sang chỉ đăng nhập bằng tài khoản VNeID: phiên đăng nhập bằng mật khẩu đã kết thúc. Vui lòng đăng nhập lại bằng tài khoản VNeID.',
      401,
    ),
  accountSuspended: () => new AppError('account_suspended', 'Tài khoản đang bị tạm đình chỉ. Vui lòng liên hệ quản trị đơn vị.', 403),
};
