/**
 * The gateway adapters of a configuration: one per external channel that is configured (a channel left unset
 * outside demo mode has none, and its messages fail with 'kênh chưa được cấu hình' and fall back).
 */
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { ExternalChannel } from '../channels.js';
import { emailAdapter } from './email.js';
import { smsAdapter } from './sms.js';
import { znsAdapter } from './zns.js';
import { znsTokens } from '../zns-tokens.js';
import type { ChannelAdapter } from './types.js';

/** `db`, `now`: where Zalo's rotating tokens are kept (zns-tokens.ts) and the one clock. */
export function adaptersFor(
  config: Pick<Config, 'email' | 'sms' | 'zns'>,
  deps: { db: Db; now: () => Date; logger?: Logger | undefined },
): Map<ExternalChannel, ChannelAdapter> {
  const adapters = new Map<ExternalChannel, ChannelAdapter>();
  if (config.email) adapters.set('email', emailAdapter(config.email));
  // SMS and Zalo ZNS (A2's adapters).
  if (config.sms) adapters.set('sms', smsAdapter(config.sms));
  if (config.zns) adapters.set('zns', znsAdapter(config.zns, znsTokens({ ...deps, config: config.zns })));
  return adapters;
}
