/**
 * The simulator's own state, in memory (it is a stand-in; restarting it starts afresh):
 * the synthetic population, the SMS outbox, pending OTPs and the fault switches.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimPerson } from './population-types.js';
import { MAIL_FAULTS_OFF, type MailFaults } from './smtp.js';

const POPULATION_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data/population.json');

type Faults = {
  outage: boolean;
  latencyMs: number;
  dropSms: boolean;
  /** The payment platform sends its confirmation this much later (the browser returns at once). */
  paymentNotifyDelayMs: number;
  /** The payment platform never sends its confirmation. */
  dropPaymentNotify: boolean;
  /** The national portal stand-in (national-portal.ts): down (503), slow, or keeping a record but answering 504. */
  nationalDown: boolean;
  nationalLatencyMs: number;
  nationalLoseReply: boolean;
} & GatewayFaults &
  MailFaults;

/** What a delivery report of the SMS / ZNS stand-ins says ('none': no report is ever sent). */
type GatewayReport = 'delivered' | 'failed' | 'expired' | 'none';
/** The SMS and Zalo ZNS gateway stand-ins (sms-gateway.ts, zns-gateway.ts): down (503), slow, refusing all, the report. */
type GatewayFaults = {
  smsDown: boolean;
  smsSlowMs: number;
  smsReject: boolean;
  smsReport: GatewayReport;
  znsDown: boolean;
  znsSlowMs: number;
  znsReject: boolean;
  znsReport: GatewayReport;
  /** One-shot: the Zalo stand-in expires every access token issued so far at its next request, then turns it off. */
  znsExpireTokens: boolean;
  /** Zalo's OAuth refresh: down (503), or refusing every refresh token. */
  znsOauthDown: boolean;
  znsOauthRefuse: boolean;
};
export const GATEWAY_FAULTS_OFF: GatewayFaults = {
  smsDown: false,
  smsSlowMs: 0,
  smsReject: false,
  smsReport: 'delivered',
  znsDown: false,
  znsSlowMs: 0,
  znsReject: false,
  znsReport: 'delivered',
  znsExpireTokens: false,
  znsOauthDown: false,
  znsOauthRefuse: false,
};
type SmsMessage = {
  id: string;
  phone: string;
  text: string;
  sentAt: string;
  delivered: boolean;
  /** 'sms' unless the Zalo ZNS stand-in recorded it (sim/zns-gateway.ts). */
  channel: 'sms' | 'zns';
  /** otp: the VNeID login's code; gateway: a notification through the SMS or ZNS gateway stand-in. */
  source: 'otp' | 'gateway';
  /** The sender's reference (SMS clientRef, ZNS tracking_id): the gateway answers it once. */
  clientRef?: string;
  /** Set by the gateway stand-ins: the brandname or the ZNS template id. */
  sender?: string;
};
type SmsExtra = Partial<Pick<SmsMessage, 'channel' | 'source' | 'clientRef' | 'sender'>>;

const OTP_RULES = { digits: 6, ttlMs: 5 * 60_000, maxTries: 5, resendAfterMs: 60_000 };

type PendingOtp = { personId: string; code: string; expiresAt: number; tries: number; sentAt: number; used: boolean };

export function createSimState(population: SimPerson[] = loadPopulation()) {
  const byNumber = new Map(population.map((p) => [p.soDinhDanh, p]));
  const byTechId = new Map(population.map((p) => [p.techId, p]));
  const outbox: SmsMessage[] = [];
  /** Pending OTPs by interaction uid. */
  const otps = new Map<string, PendingOtp>();
  const faults: Faults = {
    outage: false,
    latencyMs: 0,
    dropSms: false,
    paymentNotifyDelayMs: 0,
    dropPaymentNotify: false,
    nationalDown: false,
    nationalLatencyMs: 0,
    nationalLoseReply: false,
    ...GATEWAY_FAULTS_OFF,
    ...MAIL_FAULTS_OFF,
  };

  return {
    population,
    faults,
    /** Waits between the payment platform's delivery attempts of a confirmation (then it gives up). */
    paymentRetryDelaysMs: [1_000, 5_000, 30_000, 120_000, 600_000],
    outbox,
    person: (soDinhDanh: string) => byNumber.get(soDinhDanh),
    personByTechId: (techId: string) => byTechId.get(techId),

    sendSms(phone: string, text: string, extra: SmsExtra = {}) {
      const msg: SmsMessage = {
        id: crypto.randomUUID(),
        phone,
        text,
        sentAt: new Date().toISOString(),
        // dropSms loses OTPs only: the gateways' delivery reports say what became of their messages.
        delivered: extra.source === 'gateway' || !faults.dropSms,
        channel: 'sms',
        source: 'otp',
        ...extra,
      };
      outbox.push(msg);
      if (outbox.length > 5000) outbox.shift();
      return msg;
    },

    /** Messages delivered to a phone, newest first (a dropped SMS never reaches the phone). */
    smsFor(phone: string) {
      return outbox.filter((m) => m.phone === phone && m.delivered).reverse();
    },

    /** Issue an OTP for an interaction; refuses a resend sooner than the throttle allows. */
    issueOtp(uid: string, person: SimPerson, now = Date.now()): { ok: true } | { ok: false; waitSeconds: number } {
      const prev = otps.get(uid);
      if (prev && prev.personId === person.techId && now - prev.sentAt < OTP_RULES.resendAfterMs) {
        return { ok: false, waitSeconds: Math.ceil((OTP_RULES.resendAfterMs - (now - prev.sentAt)) / 1000) };
      }
      const code = String(crypto.randomInt(0, 10 ** OTP_RULES.digits)).padStart(OTP_RULES.digits, '0');
      otps.set(uid, { personId: person.techId, code, expiresAt: now + OTP_RULES.ttlMs, tries: 0, sentAt: now, used: false });
      this.sendSms(
        person.soDienThoai,
        `Mã OTP đăng nhập VNeID của bạn là ${code}. Mã có hiệu lực trong 5 phút. Không cung cấp mã này cho bất kỳ ai.`,
      );
      return { ok: true };
    },

    /** Check an OTP: single use, 5 minutes, 5 tries. */
    checkOtp(
      uid: string,
      code: string,
      now = Date.now(),
    ): { ok: true; person: SimPerson } | { ok: false; reason: 'missing' | 'expired' | 'too_many' | 'wrong'; triesLeft?: number } {
      const p = otps.get(uid);
      if (!p || p.used) return { ok: false, reason: 'missing' };
      if (now > p.expiresAt) return { ok: false, reason: 'expired' };
      if (p.tries >= OTP_RULES.maxTries) return { ok: false, reason: 'too_many' };
      p.tries++;
      const a = Buffer.from(code.padEnd(OTP_RULES.digits).slice(0, 12));
      const b = Buffer.from(p.code.padEnd(OTP_RULES.digits).slice(0, 12));
      if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) {
        return p.tries >= OTP_RULES.maxTries
          ? { ok: false, reason: 'too_many' }
          : { ok: false, reason: 'wrong', triesLeft: OTP_RULES.maxTries - p.tries };
      }
      p.used = true;
      return { ok: true, person: byTechId.get(p.personId)! };
    },
    pendingOtpPerson(uid: string) {
      const p = otps.get(uid);
      return p ? byTechId.get(p.personId) : undefined;
    },
  };
}

export type SimState = ReturnType<typeof createSimState>;

export function loadPopulation(): SimPerson[] {
  return JSON.parse(fs.readFileSync(POPULATION_FILE, 'utf8')) as SimPerson[];
}
