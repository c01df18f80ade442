/**
 * CSV as RFC 4180 wants it (CRLF, quotes doubled), the same rule as the portal's audit export
 * (portal/src/pages/Audit/csv.ts): a cell starting with =, +, - or @ (or a tab or CR) is prefixed
 * with ', so a spreadsheet shows it as text and never runs it as a formula (OWASP "CSV injection").
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRow(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvField).join(',');
}

/** Lines joined as RFC 4180 asks (CRLF), ending with one. */
export function csvText(lines: readonly string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}
