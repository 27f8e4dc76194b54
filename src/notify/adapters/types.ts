/**
 * What a channel's gateway adapter is given and what it answers (docs/decisions/0023). One adapter per external
 * channel (adapters/index.ts builds them from the configuration); send.ts calls them and records the outcome.
 */
import type { ExternalChannel } from '../channels.js';

export type OutgoingMessage = {
  /** notifications.id — given to the gateway as its client reference (SMS) / tracking_id (ZNS) / Message-ID (e-mail):
   *  a retried send after a crash is recognised by the gateway, and a delivery report names it. */
  id: string;
  channel: ExternalChannel;
  /** Phone in national form 0xxxxxxxxx for sms/zns; e-mail address for email. */
  to: string;
  subject: string | null;
  body: string;
  /** Zalo ZNS: the approved template and its parameters (body is the preview text). */
  zns: { templateId: string; params: Record<string, string> } | null;
};

export type SendOutcome =
  | { kind: 'accepted'; gatewayId: string } // handed over; a delivery report follows (sms, zns)
  | { kind: 'delivered'; gatewayId: string } // e-mail: the SMTP server took it — nothing further will come
  | { kind: 'retry'; reason: string } // temporary (down, time-out, 5xx, 429): retried with back-off
  | { kind: 'permanent'; reason: string }; // refused for good (bad number, no Zalo, template refused): failed → fallback

export interface ChannelAdapter {
  readonly channel: ExternalChannel;
  send(message: OutgoingMessage, signal: AbortSignal): Promise<SendOutcome>;
}
