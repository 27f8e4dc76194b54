import type { Child } from 'hono/jsx';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { CsrfField, Flash } from '../web/layout.js';

/** The field a confirmed request carries: the ticked "Tôi xác nhận…" box of the confirmation page. */
export const CONFIRM_FIELD = 'xacnhan';

const Confirmed = z.object({ [CONFIRM_FIELD]: z.literal('1') });

export const notConfirmed = () =>
  new AppError('confirmation_required', 'Vui lòng đánh dấu ô "Tôi xác nhận…" rồi bấm lại để thực hiện thao tác.', 400);

/** Whether a posted form carries the confirmation (the server's rule; the page's `required` is only a help). */
export function isConfirmed(form: Record<string, unknown>): boolean {
  return Confirmed.safeParse(form).success;
}

/**
 * A step that acts at once on something that matters (Đặt lại mật khẩu, Tạm đình chỉ, a cutoff date of today
 * or earlier) asks first, as Xóa does, without JavaScript: the page says what will happen, a required box to
 * tick, the action and Hủy. The handler refuses a post without the ticked box and changes nothing.
 */
export function ConfirmStep(p: {
  title: string;
  csrfToken: string;
  action: string;
  /** The form's other fields, posted again unchanged. */
  hidden?: Record<string, string>;
  /** What the box says the administrator confirms. */
  statement: string;
  button: string;
  danger?: boolean;
  cancelHref: string;
  error?: string | undefined;
  children: Child;
}) {
  return (
    <section class="narrow confirm-step">
      <h1>{p.title}</h1>
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      {p.children}
      <form method="post" action={p.action}>
        <CsrfField token={p.csrfToken} />
        {Object.entries(p.hidden ?? {}).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <label class="check">
          <input type="checkbox" name={CONFIRM_FIELD} value="1" required /> {p.statement}
        </label>
        <p>
          <button type="submit" class={p.danger ? 'danger' : 'primary'}>
            {p.button}
          </button>{' '}
          <a class="button" href={p.cancelHref}>
            Hủy
          </a>
        </p>
      </form>
    </section>
  );
}
