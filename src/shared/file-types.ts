/**
 * What a file really is, from its bytes — never from its name or the browser's claim. One detector for
 * every upload: result documents (dossiers/attach-result.ts) and procedure templates each accept a subset.
 *
 * - PDF, PNG, JPEG: their signatures.
 * - DOCX, XLSX: Office Open XML zip packages, told apart by the main part's content type in
 *   "[Content_Types].xml" (a macro-enabled .docm/.xlsm has another content type and is not recognised).
 * - ODT: an OpenDocument zip whose "mimetype" entry says application/vnd.oasis.opendocument.text.
 * - DOC, XLS: OLE2 compound files, told apart by their "WordDocument" or "Workbook"/"Book" stream (other
 *   compound files — installers, e-mails, encrypted packages — are not recognised).
 */
import zlib from 'node:zlib';
import { cleanText, cutText, wellFormed } from './text.js';

export type FileKind = 'pdf' | 'png' | 'jpg' | 'docx' | 'doc' | 'xlsx' | 'xls' | 'odt';
export type FileType = { kind: FileKind; mime: string; ext: string };

export const FILE_TYPES: Record<FileKind, FileType> = {
  pdf: { kind: 'pdf', mime: 'application/pdf', ext: 'pdf' },
  png: { kind: 'png', mime: 'image/png', ext: 'png' },
  jpg: { kind: 'jpg', mime: 'image/jpeg', ext: 'jpg' },
  docx: { kind: 'docx', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' },
  doc: { kind: 'doc', mime: 'application/msword', ext: 'doc' },
  xlsx: { kind: 'xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' },
  xls: { kind: 'xls', mime: 'application/vnd.ms-excel', ext: 'xls' },
  odt: { kind: 'odt', mime: 'application/vnd.oasis.opendocument.text', ext: 'odt' },
};

export function detectFileType(bytes: Uint8Array | ByteSource): FileType | null {
  const src = bytes instanceof Uint8Array ? bytesSource(bytes) : bytes;
  const head = src.read(0, 8);
  const starts = (...sig: number[]) => head.length >= sig.length && sig.every((b, i) => head[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return FILE_TYPES.pdf;
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return FILE_TYPES.png;
  if (starts(0xff, 0xd8, 0xff)) return FILE_TYPES.jpg;
  if (starts(0x50, 0x4b, 0x03, 0x04)) return zipKind(src);
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return compoundKind(src);
  return null;
}

/**
 * Random access to a file's bytes: the detector reads a few small pieces (the signature; a zip's end record,
 * central directory and one or two entries; a compound file's header, FAT and directory sectors), so a file
 * spooled to disk (storage/) is recognised without being read into memory.
 */
export type ByteSource = {
  readonly length: number;
  /** Up to `length` bytes from `at` (fewer at the end of the file). */
  read(at: number, length: number): Uint8Array;
};

const bytesSource = (b: Uint8Array): ByteSource => ({
  length: b.length,
  read: (at, length) => b.subarray(Math.max(0, at), Math.max(0, at + length)),
});

/**
 * A file name safe to store and send back: NFC, well-formed, no path separators or control characters, at most 140
 * characters and the extension, ending in the extension of what the file really is.
 */
export function safeFileName(name: string, type: FileType, fallback: string): string {
  const clean = cleanText(name)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a file name must not keep
    .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_')
    // Direction marks and overrides would show "scan‮fdp.doc" as ending in ".pdf".
    .replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/^[.\s_]+/, '');
  const m = /^(.*)\.([0-9a-z]{1,5})$/i.exec(clean);
  const ext = m?.[2]?.toLowerCase();
  // Drop an extension naming a type we know (it may be wrong); keep anything else as part of the name.
  const known = !!ext && (ext in FILE_TYPES || ext === 'jpeg');
  // Cut by whole characters: half of an emoji left at the cut is a lone surrogate, which jsonb (a draft's files) refuses
  // and a text column stores as U+FFFD. A lone one sent as such (an API's JSON "\ud83d") is mended the same way.
  const base = cutText(wellFormed(known ? m![1]! : clean), 140).trim();
  const finalExt = type.kind === 'jpg' && ext === 'jpeg' ? 'jpeg' : type.ext;
  return `${base || fallback}.${finalExt}`;
}

// ---- zip packages (DOCX, XLSX, ODT) ----

type ZipEntry = { name: string; method: number; compressedSize: number; uncompressedSize: number; localOffset: number };

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** The entries of a zip file from its central directory, or null when the structure does not hold. */
function zipEntries(src: ByteSource): ZipEntry[] | null {
  // End of central directory: 22 bytes plus a comment of at most 65535.
  const tailStart = Math.max(0, src.length - 22 - 0xffff);
  const tail = src.read(tailStart, src.length - tailStart);
  let eocd = -1;
  for (let p = tail.length - 22; p >= 0; p--) {
    if (u32(tail, p) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = u16(tail, eocd + 10);
  // The central directory, by its declared size and offset.
  const b = src.read(u32(tail, eocd + 16), u32(tail, eocd + 12));
  let p = 0;
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > b.length || u32(b, p) !== 0x02014b50) return null;
    const nameLength = u16(b, p + 28);
    if (p + 46 + nameLength > b.length) return null;
    entries.push({
      name: new TextDecoder().decode(b.subarray(p + 46, p + 46 + nameLength)),
      method: u16(b, p + 10),
      compressedSize: u32(b, p + 20),
      uncompressedSize: u32(b, p + 24),
      localOffset: u32(b, p + 42),
    });
    p += 46 + nameLength + u16(b, p + 30) + u16(b, p + 32);
  }
  return entries;
}

/**
 * A zip's entries as its central directory declares them (name, compressed and uncompressed size), or null when
 * the structure does not hold: what an import checks before anything is inflated (accounts/read-sheet.ts). The
 * declared sizes may lie; the inflation itself must still be bounded.
 */
export function zipDirectory(bytes: Uint8Array): Pick<ZipEntry, 'name' | 'compressedSize' | 'uncompressedSize'>[] | null {
  return zipEntries(bytesSource(bytes));
}

/** The content of a small entry (stored or deflated), or null. Inflation is capped: no zip bombs. */
function zipRead(src: ByteSource, e: ZipEntry, maxBytes = 256 * 1024): string | null {
  const at = e.localOffset;
  const header = src.read(at, 30);
  if (header.length < 30 || u32(header, 0) !== 0x04034b50) return null;
  const start = at + 30 + u16(header, 26) + u16(header, 28);
  if (start + e.compressedSize > src.length) return null;
  // Deflate never shrinks data below this (stored blocks): a larger entry would inflate past the cap anyway.
  if (e.compressedSize > maxBytes + 1024) return null;
  const data = src.read(start, e.compressedSize);
  try {
    if (e.method === 0) return data.length <= maxBytes ? new TextDecoder().decode(data) : null;
    if (e.method === 8) return new TextDecoder().decode(zlib.inflateRawSync(data, { maxOutputLength: maxBytes }));
  } catch {
    return null;
  }
  return null;
}

function zipKind(b: ByteSource): FileType | null {
  const entries = zipEntries(b);
  if (!entries) return null;
  const find = (name: string) => entries.find((e) => e.name === name);
  const mimetype = find('mimetype');
  if (mimetype) return zipRead(b, mimetype)?.trim() === FILE_TYPES.odt.mime ? FILE_TYPES.odt : null;
  const contentTypes = find('[Content_Types].xml');
  const xml = contentTypes ? zipRead(b, contentTypes) : null;
  if (!xml) return null;
  if (xml.includes('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml')) return FILE_TYPES.docx;
  if (xml.includes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml')) return FILE_TYPES.xlsx;
  return null;
}

// ---- OLE2 compound files (DOC, XLS) ----

const END_OF_CHAIN = 0xfffffffa; // every value from here up ends or marks a chain

/** The stream names in a compound file's directory, or null when the structure does not hold. */
function compoundNames(src: ByteSource): string[] | null {
  if (src.length < 512) return null;
  const b = src.read(0, 512);
  if (u16(b, 0x1c) !== 0xfffe) return null;
  const shift = u16(b, 0x1e);
  if (shift !== 9 && shift !== 12) return null;
  const size = 1 << shift;
  const sector = (n: number) => {
    const at = (n + 1) * size;
    return at + size <= src.length ? src.read(at, size) : null;
  };
  // The FAT: its sectors are listed in the header (109 of them cover far more than our size limit).
  const fatSectors = Math.min(u32(b, 0x2c), 109);
  const fat: number[] = [];
  for (let i = 0; i < fatSectors; i++) {
    const s = sector(u32(b, 0x4c + 4 * i));
    if (!s) return null;
    for (let j = 0; j < size; j += 4) fat.push(u32(s, j));
  }
  const names: string[] = [];
  const seen = new Set<number>();
  for (let n = u32(b, 0x30); n < END_OF_CHAIN; n = fat[n] ?? END_OF_CHAIN) {
    if (seen.has(n)) return null; // a loop
    seen.add(n);
    const s = sector(n);
    if (!s) return null;
    for (let at = 0; at + 128 <= size; at += 128) {
      const length = Math.min(u16(s, at + 0x40), 64);
      if (length < 2) continue;
      names.push(new TextDecoder('utf-16le').decode(s.subarray(at, at + length - 2)));
    }
  }
  return names;
}

function compoundKind(b: ByteSource): FileType | null {
  const names = compoundNames(b);
  if (!names) return null;
  if (names.includes('WordDocument')) return FILE_TYPES.doc;
  if (names.includes('Workbook') || names.includes('Book')) return FILE_TYPES.xls;
  return null;
}
