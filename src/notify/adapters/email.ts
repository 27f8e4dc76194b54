/**
 * E-mail over SMTP (nodemailer). The SMTP server's acceptance is the end of our knowledge: a message it takes is
 * 'delivered' (no report follows). The Message-ID is derived from the notification id, so a send retried after a
 * crash carries the same one (mail clients show it once). Plain text, and the same text as simple escaped HTML.
 * A 4xx answer or a connection problem is temporary (retried); a 5xx refusal of the message or the address is
 * permanent; a refused login (535) is our configuration, retried until an administrator fixes it.
 */
import type { Transporter } from 'nodemailer';
import type { EmailConfig } from '../../config.js';
import type { ChannelAdapter, OutgoingMessage, SendOutcome } from './types.js';

export function emailAdapter(config: EmailConfig): ChannelAdapter {
  // Pooled: the worker sends several messages at once (JOB_KINDS notify.send's workers) over a few kept connections,
  // not a new SMTP conversation (connect, EHLO, STARTTLS, AUTH) per message. Created at the first message: nodemailer
  // costs start time and memory in every instance, and only the worker sends (docs/decisions/0029).
  let transport: Promise<Transporter> | null = null;
  const connect = () =>
    (transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url: config.smtpUrl,
        from: config.from,
        pool: true,
        maxConnections: 4,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      }),
    ));
  const domain = /@([^>\s]+)>?\s*$/.exec(config.from)?.[1] ?? 'motcua.localhost';
  return {
    channel: 'email',
    async send(message: OutgoingMessage, signal: AbortSignal): Promise<SendOutcome> {
      const messageId = `<${message.id}@${domain}>`;
      const sending = connect().then((t) =>
        t.sendMail({
          to: message.to,
          subject: message.subject ?? 'Thông báo',
          text: message.body,
          html: toHtml(message.body),
          messageId,
        }),
      );
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      try {
        await Promise.race([sending, aborted]);
        return { kind: 'delivered', gatewayId: messageId };
      } catch (err) {
        sending.catch(() => undefined);
        return outcomeOf(err);
      }
    },
  };
}

function outcomeOf(err: unknown): SendOutcome {
  const e = err as { responseCode?: number; response?: string; code?: string; name?: string; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return { kind: 'retry', reason: 'Máy chủ thư không trả lời kịp' };
  const code = e.responseCode;
  // Servers name the refused recipient ("550 5.1.1 <a@b.vn>: … rejected"): the reason is shown on screens and a
  // retry is logged, and neither may carry an address, so every one is blanked.
  const said = (e.response ?? e.message ?? '').replace(/[^\s<>@]+@[^\s<>@]+/g, '•••').slice(0, 200);
  if (code !== undefined && code >= 500 && code !== 535 && e.code !== 'EAUTH') {
    return { kind: 'permanent', reason: `Máy chủ thư từ chối (${code}): ${said}` };
  }
  if (code !== undefined) return { kind: 'retry', reason: `Máy chủ thư tạm thời không nhận (${code}): ${said}` };
  return { kind: 'retry', reason: `Không kết nối được máy chủ thư (${e.code ?? 'lỗi'})` };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function toHtml(text: string): string {
  const escaped = text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c).replace(/\r?\n/g, '<br>\n');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body style="font-family:sans-serif;line-height:1.5">${escaped}</body></html>`;
}
