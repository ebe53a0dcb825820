/**
 * Small pure helpers shared by the AAF and CSV parsers: the anomaly shape of the import report,
 * French dates and `$`-compound values. No I/O, no database.
 */

/** One line of the import report (`report.anomalies`), see issue 4's contract. */
export interface ImportAnomaly {
  /** Stable code: MALFORMED_DATE, MALFORMED_VALUE, MISSING_KEY, UAI_CHECK_LETTER, TRUNCATED_XML… */
  code: string;
  /** Human-readable detail (English; the report page translates by `code`). */
  message: string;
  /** The file name the anomaly comes from. */
  file: string;
  /** 1-based request number in an AAF file, 1-based line number in a CSV file; null for the whole file. */
  record: number | null;
  /** The join key of the record when known. */
  key?: string;
  /** Line in the file when known (AAF: XML line, 1-based). */
  line?: number;
  /**
   * The values `message` is made of (attribute, value, key, the other file…), for the web to word the detail in
   * the reader's language by `code`. `variant` tells apart the different messages a code may carry.
   */
  params?: AnomalyParams;
}

/** Flat values of an anomaly's detail; `variant` names which of its code's messages it is. */
export type AnomalyParams = Record<string, string | number>;

/**
 * `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`, and ISO `yyyy-mm-dd`) → ISO `yyyy-mm-dd`,
 * or null when the value is not a real calendar date between 1900 and 2100.
 */
export function frenchDateToIso(value: string): string | null {
  const v = value.trim();
  let day: number;
  let month: number;
  let year: number;
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  if (m) {
    day = Number(m[1]);
    month = Number(m[2]);
    year = Number(m[3]);
  } else {
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
    if (!m) return null;
    year = Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
  }
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Split a `$`-compound AAF value (`0931234X$2NDE3`), trimming each field. */
export function splitCompound(value: string): string[] {
  return value.split('$').map((f) => f.trim());
}
