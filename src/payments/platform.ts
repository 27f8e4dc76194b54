/**
 * Adapter to the payment platform (PayGov-like; docs/decisions/0014): the citizen's browser is sent to the
 * platform's payment page with a signed payment request, and the platform confirms server to server with a signed
 * message. Both are signed with the merchant's shared secret: HMAC-SHA256, lowercase hex, over the canonical
 * string — the signed fields sorted by name, `name=value` joined by `&`, names and values in NFC and percent-encoded
 * as RFC 3986 (space %20, capital hex). The URL, merchant
 * code and secret come from configuration (src/config.ts), so the real platform replaces the simulator.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { PaymentConfig } from '../config.js';
import { instantField } from '../shared/validate.js';
import { hasLoneSurrogate } from '../shared/text.js';

/** What we ask the platform to collect. */
type PaymentRequest = {
  orderId: string;
  /** Whole đồng. */
  amount: number;
  description: string;
  returnUrl: string;
  notifyUrl: string;
  createdAt: Date;
  expiresAt: Date;
};

/** A confirmation whose signature, merchant and form were checked. */
export type PaymentConfirmation = {
  merchantCode: string;
  orderId: string;
  transactionId: string;
  amount: number;
  status: 'success' | 'failed';
  /** ISO 8601, the platform's time of the payment (or of the failure). */
  paidAt: string;
  message?: string | undefined;
};

type VerifiedConfirmation =
  | { valid: true; confirmation: PaymentConfirmation }
  | { valid: false; reason: 'malformed' | 'signature' | 'merchant'; orderId: string | null };

export type PaymentPlatform = {
  /** The address of the platform's payment page for this request (signed). */
  createPaymentUrl(request: PaymentRequest): string;
  /** Checks a confirmation's form, merchant and signature (constant-time); reads only the signed fields. */
  verifyConfirmation(body: unknown): VerifiedConfirmation;
};

/**
 * A name or value as the canonical string writes it: NFC, then its UTF-8 bytes percent-encoded except the RFC 3986
 * unreserved characters (A–Z a–z 0–9 - . _ ~), hex in capitals, a space as %20 (never '+'). Without it a value
 * holding '&' or '=' could be read as other fields ("a=1&b=2" is one field or two), so a signature would not pin
 * down what was signed.
 */
function encodeComponent(v: string): string {
  return encodeURIComponent(v.normalize('NFC')).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonical string of signed fields: sorted by name, `name=value` percent-encoded (encodeComponent), joined by `&`. */
function canonicalString(fields: Record<string, string | number>): string {
  return Object.keys(fields)
    .sort()
    .map((k) => `${encodeComponent(k)}=${encodeComponent(String(fields[k]))}`)
    .join('&');
}

export function sign(secret: string, fields: Record<string, string | number>): string {
  return crypto.createHmac('sha256', secret).update(canonicalString(fields), 'utf8').digest('hex');
}

/** Constant-time comparison of two hex signatures (a different length is simply unequal). */
function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** yyyyMMddHHmmss in Vietnam time (GMT+7), as the platform's dates are written. */
function platformTime(d: Date): string {
  return new Date(d.getTime() + 7 * 3_600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The signed fields of a confirmation, in the platform's form (the amount as digits). */
// Text the platform signed is UTF-8: a lone surrogate (no UTF-8 form, and encodeComponent would throw) is malformed.
const signedText = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((v) => !hasLoneSurrogate(v), 'not well-formed text')
    // A NUL cannot be kept in the confirmation's jsonb. Only it: another control character in a genuine message is
    // stored as it came — refusing it would refuse that payment's confirmation at every retry.
    .refine((v) => !v.includes('\u0000'), 'a NUL');
const ConfirmationBody = z.object({
  merchantCode: signedText(1, 64),
  orderId: signedText(1, 64),
  transactionId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/),
  amount: z.string().regex(/^[1-9]\d{0,11}$/),
  status: z.enum(['success', 'failed']),
  // A time PostgreSQL cannot store (year 0000, past 9999 in UTC) is malformed, not a 500 at each of the platform's retries.
  paidAt: instantField('paidAt: ISO 8601 instant'),
  message: signedText(0, 255).optional(),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});

/** The fields a confirmation is signed over (everything it carries but the signature). */
function confirmationFields(c: PaymentConfirmation): Record<string, string> {
  const fields: Record<string, string> = {
    merchantCode: c.merchantCode,
    orderId: c.orderId,
    transactionId: c.transactionId,
    amount: String(c.amount),
    status: c.status,
    paidAt: c.paidAt,
  };
  if (c.message !== undefined) fields.message = c.message;
  return fields;
}

export function httpPaymentPlatform(config: Pick<PaymentConfig, 'url' | 'merchant' | 'secret'>): PaymentPlatform {
  return {
    createPaymentUrl(r) {
      const fields: Record<string, string> = {
        version: '1',
        merchantCode: config.merchant,
        orderId: r.orderId,
        amount: String(r.amount),
        currency: 'VND',
        orderInfo: r.description.normalize('NFC'),
        returnUrl: r.returnUrl,
        notifyUrl: r.notifyUrl,
        createDate: platformTime(r.createdAt),
        expireDate: platformTime(r.expiresAt),
        locale: 'vn',
      };
      const url = new URL(config.url);
      for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
      url.searchParams.set('signature', sign(config.secret, fields));
      return url.toString();
    },

    verifyConfirmation(body) {
      const claimed =
        body && typeof body === 'object' && 'orderId' in body && typeof body.orderId === 'string' ? body.orderId.slice(0, 64) : null;
      const parsed = ConfirmationBody.safeParse(body);
      if (!parsed.success) return { valid: false, reason: 'malformed', orderId: claimed };
      const { signature, amount, ...rest } = parsed.data;
      const confirmation: PaymentConfirmation = { ...rest, amount: Number(amount) };
      if (!signatureMatches(sign(config.secret, confirmationFields(confirmation)), signature))
        return { valid: false, reason: 'signature', orderId: claimed };
      // Signed with our secret but for another merchant: not ours to act on.
      if (confirmation.merchantCode !== config.merchant) return { valid: false, reason: 'merchant', orderId: claimed };
      return { valid: true, confirmation };
    },
  };
}
