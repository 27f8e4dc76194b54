/**
 * Small real files for upload tests, built in memory: zip packages (DOCX, ODT, a PPTX-like package)
 * and OLE2 compound files (DOC, XLS, something else). No binaries in the repository.
 */
import zlib from 'node:zlib';

type ZipInput = { name: string; data: string | Uint8Array; deflate?: boolean };

/** A zip file, entries stored or deflated, with its central directory. */
export function zip(entries: ZipInput[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data);
    const data = e.deflate ? zlib.deflateRawSync(raw) : raw;
    const name = Buffer.from(e.name, 'utf8');
    const crc = zlib.crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(e.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}

const contentTypes = (main: string) =>
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
  '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  `<Override PartName="/word/document.xml" ContentType="${main}"/>` +
  '</Types>';

/** A minimal valid Word document (one paragraph), the way Word lays it out: deflated parts. */
export function docx(text = 'Tờ khai đăng ký khai sinh'): Uint8Array {
  return zip([
    {
      name: '[Content_Types].xml',
      data: contentTypes('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'),
      deflate: true,
    },
    {
      name: '_rels/.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
      deflate: true,
    },
    {
      name: 'word/document.xml',
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`,
      deflate: true,
    },
  ]);
}

/** A PowerPoint-like package: Office Open XML, but not a type templates accept. */
export function pptxLike(): Uint8Array {
  return zip([
    {
      name: '[Content_Types].xml',
      data: contentTypes('application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml'),
    },
  ]);
}

/** An OpenDocument text: "mimetype" first and stored, as the format requires. */
export function odt(): Uint8Array {
  return zip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    {
      name: 'content.xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
      deflate: true,
    },
    {
      name: 'META-INF/manifest.xml',
      data: '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
      deflate: true,
    },
  ]);
}

/**
 * An OLE2 compound file (version 3, 512-byte sectors) whose directory holds the root and the named empty
 * streams: "WordDocument" makes a .doc, "Workbook" an .xls. Sector 0 is the FAT, the directory follows.
 */
export function compoundFile(streams: string[]): Uint8Array {
  const dirSectors = Math.ceil((streams.length + 1) / 4);
  const buf = Buffer.alloc(512 * (2 + dirSectors));
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(buf, 0);
  buf.writeUInt16LE(0x3e, 0x18);
  buf.writeUInt16LE(3, 0x1a);
  buf.writeUInt16LE(0xfffe, 0x1c);
  buf.writeUInt16LE(9, 0x1e);
  buf.writeUInt16LE(6, 0x20);
  buf.writeUInt32LE(1, 0x2c); // one FAT sector
  buf.writeUInt32LE(1, 0x30); // the directory starts at sector 1
  buf.writeUInt32LE(4096, 0x38);
  buf.writeUInt32LE(0xfffffffe, 0x3c);
  buf.writeUInt32LE(0xfffffffe, 0x44);
  for (let i = 0; i < 109; i++) buf.writeUInt32LE(i === 0 ? 0 : 0xffffffff, 0x4c + 4 * i);
  const fat = 512;
  for (let i = 0; i < 128; i++) buf.writeUInt32LE(0xffffffff, fat + 4 * i);
  buf.writeUInt32LE(0xfffffffd, fat); // sector 0 is the FAT
  for (let s = 1; s <= dirSectors; s++) buf.writeUInt32LE(s === dirSectors ? 0xfffffffe : s + 1, fat + 4 * s);
  ['Root Entry', ...streams].forEach((name, i) => {
    const at = 512 * 2 + 128 * i;
    buf.write(name, at, 'utf16le');
    buf.writeUInt16LE((name.length + 1) * 2, at + 0x40);
    buf[at + 0x42] = i === 0 ? 5 : 2;
    buf.writeUInt32LE(0xffffffff, at + 0x44);
    buf.writeUInt32LE(0xffffffff, at + 0x48);
    buf.writeUInt32LE(0xffffffff, at + 0x4c);
    buf.writeUInt32LE(0xfffffffe, at + 0x74);
  });
  return new Uint8Array(buf);
}

/** A Windows executable's first bytes, to be named "something.pdf". */
export function executable(): Uint8Array {
  const b = Buffer.alloc(256);
  b.write('MZ', 0, 'latin1');
  b.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  return new Uint8Array(b);
}
