/**
 * Content-Disposition for a download (RFC 6266): `filename` is an ASCII stand-in for old clients,
 * `filename*` (RFC 5987, UTF-8, percent-encoded) carries the real name with its Vietnamese letters.
 */
export function attachmentDisposition(fileName: string): string {
  const name = fileName.normalize('NFC');
  const ascii =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\x20-\x7e]|["\\%;]/g, '_') || 'tep';
  // encodeURIComponent leaves ' ( ) * ! unescaped; RFC 5987's attr-char does not allow ' ( ) *.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
