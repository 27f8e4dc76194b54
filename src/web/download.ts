import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { wellFormed } from '../shared/text.js';

/**
 * Content-Disposition for a download (RFC 6266): `filename` is an ASCII stand-in for old clients,
 * `filename*` (RFC 5987, UTF-8, percent-encoded) carries the real name with its Vietnamese letters. `inline` for a
 * file the browser should open rather than save at once (a printed form: the clerk prints it from the viewer), still
 * under this name when saved.
 */
export function attachmentDisposition(fileName: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  // A lone surrogate (a JSON string may carry one) has no UTF-8 form: encodeURIComponent would throw on it.
  const name = wellFormed(fileName).normalize('NFC');
  const ascii =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\x20-\x7e]|["\\%;]/g, '_') || 'tep';
  // encodeURIComponent leaves ' ( ) * ! unescaped; RFC 5987's attr-char does not allow ' ( ) *.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A stored file to send: its description and a way to open its bytes (src/storage). */
export type Download = { open(): Promise<Readable>; size: number; mediaType: string; fileName: string };

/**
 * Answers with a stored file as an attachment, streamed from storage (never gathered in memory). The file is opened
 * before the answer starts, so a missing one is an ordinary error page, not a cut-off download.
 */
export async function sendFile(c: Context, file: Download, headers: Record<string, string> = {}): Promise<Response> {
  const stream = await file.open();
  return c.body(Readable.toWeb(stream) as ReadableStream<Uint8Array>, 200, {
    ...headers,
    'Content-Type': file.mediaType,
    'Content-Length': String(file.size),
    'Content-Disposition': attachmentDisposition(file.fileName),
    'X-Content-Type-Options': 'nosniff',
  });
}
