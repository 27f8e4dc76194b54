/**
 * The SMTP stand-in of demo mode (and the tests): a real SMTP server (smtp-server) that keeps what it receives in
 * memory, newest first and bounded, parsed with mailparser; GET /dev/mail?to=<address> lists it as JSON. Fault
 * switches in the simulator's faults (POST /dev/faults): mailDown — every connection is answered 421 (a server
 * temporarily unavailable: the sender retries); mailReject — every recipient is refused 550 (for good).
 */
import crypto from 'node:crypto';
import type { AddressObject } from 'mailparser';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Hono } from 'hono';

type ReceivedMail = {
  id: string;
  messageId: string | null;
  from: string | null;
  to: string[];
  subject: string | null;
  text: string;
  receivedAt: string;
};

export type MailFaults = { mailDown: boolean; mailReject: boolean };
export const MAIL_FAULTS_OFF: MailFaults = { mailDown: false, mailReject: false };

const KEEP = 1_000;
const MAX_BYTES = 2 * 1024 * 1024;

export type Mailbox = { received: ReceivedMail[]; to(address: string): ReceivedMail[] };

export function createMailbox(): Mailbox {
  const received: ReceivedMail[] = [];
  return {
    received,
    to: (address) => received.filter((m) => m.to.includes(address.trim().toLowerCase())),
  };
}

export type SmtpStandIn = { port: number; close(): Promise<void> };

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

export async function startSmtpStandIn(opts: { port: number; host?: string; mailbox: Mailbox; faults: MailFaults }): Promise<SmtpStandIn> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    banner: 'Máy chủ thư mô phỏng',
    size: MAX_BYTES,
    logger: false,
    onConnect(_session, callback) {
      if (opts.faults.mailDown) return callback(smtpError('Service not available, try again later', 421));
      callback();
    },
    onRcptTo(_address, _session, callback) {
      if (opts.faults.mailReject) return callback(smtpError('Mailbox unavailable', 550));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const envelopeTo = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
          opts.mailbox.received.unshift({
            id: crypto.randomUUID(),
            messageId: parsed.messageId ?? null,
            from: parsed.from?.text ?? null,
            to: envelopeTo.length ? envelopeTo : addresses(parsed.to),
            subject: parsed.subject ?? null,
            text: parsed.text ?? '',
            receivedAt: new Date().toISOString(),
          });
          opts.mailbox.received.splice(KEEP);
          callback();
        })
        .catch((err: unknown) => callback(err instanceof Error ? err : new Error('unreadable message')));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function addresses(to: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(to) ? to : to ? [to] : [];
  return list.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase())).filter(Boolean);
}

/** GET /dev/mail?to=<address>: what the stand-in received for that address (all without `to`), newest first. */
export function mailRoutes(mailbox: Mailbox): Hono {
  const app = new Hono();
  app.get('/dev/mail', (c) => {
    const to = c.req.query('to');
    return c.json(to ? mailbox.to(to) : mailbox.received.slice(0, 100));
  });
  return app;
}
