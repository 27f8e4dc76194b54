/**
 * A gateway's answer, read as the national-portal client reads its own (src/shared/bounded-read.ts): never more than
 * a limit fit for what that gateway says, so a hostile or broken gateway cannot fill the worker's memory; and the ids
 * it gives back, which we store (notifications.gateway_id) and match delivery reports against, held to what a text
 * column and a log line take.
 */
import { z } from 'zod';
import { AnswerTooLarge, readBoundedText } from '../../shared/bounded-read.js';

/** The answer was over its limit: not read (the connection is cancelled at the first byte past it). */
export const TOO_LARGE = Symbol('answer too large');

/**
 * The answer's JSON, at most `maxBytes` bytes: the parsed value, null when it is not JSON, TOO_LARGE past the limit.
 * A connection lost or aborted while reading throws, as fetch does (the adapters' "no answer").
 */
export async function readGatewayJson(res: Response, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    text = await readBoundedText(res, maxBytes);
  } catch (err) {
    if (err instanceof AnswerTooLarge) return TOO_LARGE;
    throw err;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A size said in an administrator's reason: "16 KB". */
export const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

/**
 * An id a gateway gives for a message (SMS messageId, ZNS msg_id): printable ASCII, 1 to 128 characters. Anything
 * else (a NUL, which PostgreSQL's text refuses; a line break; 10 000 characters) is an answer we cannot use.
 */
export const GatewayId = z.string().regex(/^[\x20-\x7e]{1,128}$/);

/** A token we store and send back in a header (Zalo's access and refresh tokens): visible ASCII, at most 4096. */
export const GatewayToken = z.string().regex(/^[\x21-\x7e]{1,4096}$/);
