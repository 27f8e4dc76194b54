/**
 * The ZIP of Dữ liệu của tôi, streamed (yazl, docs/decisions/0016): small text entries from memory, then each stored
 * file opened from storage only when the archive reaches it and piped through — never the whole archive, never two
 * files at once. Entries are stored uncompressed (the files are PDFs, images and Office documents, compressed
 * already), so the archive's exact size is known before the first byte and the download has a Content-Length.
 */
import { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { openBlob } from '../storage/index.js';
import type { BlobEntry } from './my-data.js';

export type ZipText = { path: string; text: string; at: Date };

export type StreamedZip = { size: number; stream: Readable };

export function streamZip(texts: readonly ZipText[], blobs: readonly BlobEntry[]): Promise<StreamedZip> {
  const zip = new ZipFile();
  // The stored file being piped into the archive: closed if the download is abandoned half-way.
  let reading: Readable | null = null;
  for (const t of texts) zip.addBuffer(Buffer.from(t.text, 'utf8'), t.path, { mtime: t.at, compress: false });
  for (const b of blobs) {
    zip.addReadStreamLazy(b.path, { mtime: b.at, compress: false, size: b.size }, (cb) => {
      openBlob(b.sha256).then(
        (stream) => {
          reading = stream;
          cb(null, stream);
        },
        // yazl emits the error (below) and reads no stream.
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err)), Readable.from([])),
      );
    });
  }
  const out = zip.outputStream instanceof Readable ? zip.outputStream : new Readable().wrap(zip.outputStream);
  out.on('close', () => reading?.destroy());
  // A file missing from storage or of another size than recorded ends the download as failed (a cut-off archive,
  // not a wrong one); the export checked every file before it began, so this is a race with storage.
  zip.on('error', (err: Error) => out.destroy(err));
  return new Promise((resolve, reject) => {
    // The callback receives the total size (its published type omits the argument).
    zip.end({ forceZip64Format: false, comment: '' }, (...args: unknown[]) => {
      const size = args[0];
      // -1 only if an entry's size were unknown or compressed: every entry here has both fixed.
      if (typeof size !== 'number' || size < 0) reject(new Error('zip size not computable'));
      else resolve({ size, stream: out });
    });
  });
}
