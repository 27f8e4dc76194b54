/**
 * The empty workbook an import screen offers as its template ("Tải tệp mẫu"): one bold, frozen header row with the
 * column names the import reads (read-sheet.ts matches them). No example rows: a template sent back unchanged must
 * import nothing rather than a made-up unit or procedure.
 */
export async function importTemplate(sheetName: string, headers: readonly string[]): Promise<Uint8Array> {
  // Loaded on first use: exceljs costs start time and memory (docs/decisions/0029).
  const { Workbook } = (await import('exceljs')).default;
  const wb = new Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.columns = headers.map((h) => ({ header: h, width: Math.max(14, h.length + 4) }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
