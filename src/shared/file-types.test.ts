import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { detectFileType, safeFileName, FILE_TYPES } from './file-types.js';
import { hasLoneSurrogate } from './text.js';
import { renderPdf } from '../dossiers/forms/layout.js';
import { compoundFile, docx, executable, odt, pptxLike, zip } from '../../tests/support/sample-files.js';

const kind = (b: Uint8Array) => detectFileType(b)?.kind ?? null;

describe('file types by content', () => {
  it('recognises the office formats by their structure', async () => {
    expect(kind(await renderPdf({ title: 'Mẫu' }, (doc) => void doc.text('Tờ khai')))).toBe('pdf');
    expect(kind(docx())).toBe('docx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Danh sách').addRow(['STT', 'Họ và tên']);
    expect(kind(new Uint8Array(await wb.xlsx.writeBuffer()))).toBe('xlsx');
    expect(kind(odt())).toBe('odt');
    expect(kind(compoundFile(['WordDocument', '1Table']))).toBe('doc');
    expect(kind(compoundFile(['Workbook']))).toBe('xls');
    // A directory over two sectors: the stream is found by following the FAT chain.
    expect(kind(compoundFile(['\u0005SummaryInformation', '\u0005DocumentSummaryInformation', 'Data', 'ObjectPool', 'WordDocument']))).toBe(
      'doc',
    );
    expect(kind(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(kind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpg');
  });

  it('refuses what only looks like one', () => {
    expect(kind(executable())).toBeNull();
    expect(kind(new TextEncoder().encode('%PD not really'))).toBeNull();
    expect(kind(new TextEncoder().encode('<html>Tờ khai</html>'))).toBeNull();
    expect(kind(new Uint8Array())).toBeNull();
    expect(kind(pptxLike())).toBeNull();
    expect(kind(zip([{ name: 'readme.txt', data: 'x' }]))).toBeNull();
    expect(kind(zip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet' }]))).toBeNull();
    // A compound file without a Word or Excel stream (an installer, an Outlook message…).
    expect(kind(compoundFile(['SummaryInformation', '__properties_version1.0']))).toBeNull();
    // Truncated structures do not throw.
    expect(kind(docx().slice(0, 60))).toBeNull();
    expect(kind(compoundFile(['WordDocument']).slice(0, 600))).toBeNull();
  });

  it('names files after what they are', () => {
    expect(safeFileName('Tờ khai khai sinh.pdf', FILE_TYPES.docx, 'mau')).toBe('Tờ khai khai sinh.docx');
    expect(safeFileName('Tờ khai', FILE_TYPES.pdf, 'mau')).toBe('Tờ khai.pdf');
    expect(safeFileName('../../etc/passwd', FILE_TYPES.pdf, 'mau')).toBe('etc_passwd.pdf');
    expect(safeFileName('   ', FILE_TYPES.xlsx, 'mau')).toBe('mau.xlsx');
    expect(safeFileName('To\u0300 khai.PDF', FILE_TYPES.pdf, 'mau')).toBe('Tò khai.pdf');
  });

  it('cuts a long name by whole characters, never inside an emoji, and mends a lone surrogate', () => {
    const cut = safeFileName(`${'a'.repeat(139)}😀😀.pdf`, FILE_TYPES.pdf, 'mau');
    expect(cut).toBe(`${'a'.repeat(139)}😀.pdf`);
    expect(hasLoneSurrogate(cut)).toBe(false);
    expect(safeFileName(`${'a'.repeat(139)}😀.pdf`, FILE_TYPES.pdf, 'mau')).toBe(`${'a'.repeat(139)}😀.pdf`);
    expect(safeFileName('Tờ khai \ud83d.pdf', FILE_TYPES.pdf, 'mau')).toBe('Tờ khai \ufffd.pdf');
  });
});
