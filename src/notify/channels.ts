/**
 * The notification channels and the states of a message — the words every part of notify/ and its screens share
 * (docs/decisions/0023). States follow GOV.UK Notify's model, in Vietnamese for the screens.
 */

/** In the order a message falls back through: a Zalo ZNS message that fails for good is sent again by SMS, then by e-mail. */
export const CHANNELS = ['zns', 'sms', 'email', 'inapp'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The channels that reach a person outside our pages (each has a gateway adapter and a stand-in in sim/). */
export const EXTERNAL_CHANNELS = ['zns', 'sms', 'email'] as const satisfies readonly Channel[];
export type ExternalChannel = (typeof EXTERNAL_CHANNELS)[number];

export const CHANNEL_LABELS: Record<Channel, string> = {
  zns: 'Zalo (ZNS)',
  sms: 'Tin nhắn SMS',
  email: 'Thư điện tử',
  inapp: 'Thông báo trên hệ thống',
};

/**
 * queued: waiting for the worker; sending: handed to the adapter (a crash here is retried: the gateway gets our id as
 * its reference and answers the same message id); sent: the gateway accepted it; delivered / failed / expired: the
 * gateway's delivery report (or the SMTP server's acceptance for e-mail, which reports nothing further); cancelled:
 * the event no longer applies (e.g. a reminder of a dossier already finished).
 */
const MESSAGE_STATES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'cancelled'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];

export const MESSAGE_STATE_LABELS: Record<MessageState, string> = {
  queued: 'Đang chờ gửi',
  sending: 'Đang gửi',
  sent: 'Đã gửi',
  delivered: 'Đã nhận',
  failed: 'Gửi không thành công',
  expired: 'Hết hạn chưa nhận',
  cancelled: 'Đã hủy',
};

/** States after which nothing changes a message any more (a late report of a lower state is ignored). */
export const FINAL_STATES: readonly MessageState[] = ['delivered', 'failed', 'expired', 'cancelled'];
