import { AppError } from '../shared/errors.js';

const MESSAGE =
  'Kênh trực tuyến (2) chỉ dành cho Cổng Dịch vụ công của tỉnh và Cổng Dịch vụ công quốc gia. Cán bộ tiếp nhận hồ sơ trực tiếp (1) hoặc qua bưu chính công ích (3).';

/**
 * Channel 2 (trực tuyến) is how a citizen submits through a portal (portal/submit-dossier.ts); an official's
 * credentials — an API key, a session's JSON or the reception form — never create an online dossier: the API
 * and the reception page ask this before receiveDossier, so the refusal names this rule and not a missing
 * field. receiveDossier refuses it again, whatever the caller (onlineChannelReserved): only the system actor (the
 * national portal's pull) registers an online dossier there; the province portal's citizens submit through
 * portal/submit-dossier.ts. No integration credential of the national portal exists yet: when one does, it is the
 * one caller this rule lets through. Read as the input schema reads it (a number or its digits; an array or an
 * object is the schema's own refusal).
 */
export function refuseOnlineChannel(raw: unknown): void {
  if (raw === null || typeof raw !== 'object' || !('channel' in raw)) return;
  const channel = (raw as { channel: unknown }).channel;
  if ((typeof channel === 'number' || typeof channel === 'string') && String(channel).trim() !== '' && Number(channel) === 2) {
    throw onlineChannelReserved();
  }
}

/** The refusal of channel 2 to an official (422 online_channel_reserved, said beside the channel field). */
export function onlineChannelReserved(): AppError {
  return new AppError('online_channel_reserved', MESSAGE, 422, { channel: MESSAGE });
}
