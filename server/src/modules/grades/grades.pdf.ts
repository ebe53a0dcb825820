/** The report (bulletin) as PDF: one A4 page per student, pdfkit's standard fonts (as the login sheets). */
import PDFDocument from 'pdfkit';
import { pdfText } from '../directory/index.ts';

export interface ReportPage {
  establishment: string;
  yearLabel: string;
  periodLabel: string;
  className: string;
  student: string;
  rows: {
    subject: string;
    average: number | null;
    classAverage: number | null;
    min: number | null;
    max: number | null;
    comment: string | null;
  }[];
  overall: number | null;
  headTeacher: string | null;
  direction: string | null;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 42;
const BLUE = '#000091';
const fr = (x: number | null) => (x === null ? '-' : x.toFixed(2).replace('.', ','));

/** Column x positions and widths: subject, student, class, min, max, comment. */
const COLS = [
  { w: 118, label: 'Matière' },
  { w: 52, label: 'Élève' },
  { w: 52, label: 'Classe' },
  { w: 40, label: 'Min' },
  { w: 40, label: 'Max' },
  { w: 0, label: 'Appréciation' },
];

function drawPage(doc: PDFKit.PDFDocument, p: ReportPage) {
  const width = A4.width - 2 * MARGIN;
  COLS[5]!.w = width - COLS.slice(0, 5).reduce((s, c) => s + c.w, 0);
  doc.x = MARGIN;
  doc.y = MARGIN;
  doc.font('Helvetica-Bold').fontSize(14).fillColor(BLUE).text(pdfText(p.establishment), { width });
  doc
    .font('Helvetica')
    .fontSize(11)
    .fillColor('#000')
    .text(pdfText(`Bulletin du ${p.periodLabel} — année ${p.yearLabel}`), { width });
  doc.moveDown(0.6);
  doc.font('Helvetica-Bold').fontSize(13).text(pdfText(p.student), { width });
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(pdfText(`Classe : ${p.className}`), { width });
  doc.moveDown(0.8);

  // The table: header, then one row per subject (its height follows the comment's).
  let y = doc.y;
  const cell = (text: string, i: number, top: number, bold = false, align: 'left' | 'right' = 'left') => {
    const x = MARGIN + COLS.slice(0, i).reduce((s, c) => s + c.w, 0);
    doc
      .font(bold ? 'Helvetica-Bold' : 'Helvetica')
      .fontSize(9)
      .text(pdfText(text), x + 3, top + 4, { width: COLS[i]!.w - 6, align });
  };
  doc.rect(MARGIN, y, width, 18).fill('#e3e3fd').fillColor('#000');
  for (const [i, c] of COLS.entries()) cell(c.label, i, y, true, i > 0 && i < 5 ? 'right' : 'left');
  y += 18;
  for (const r of p.rows) {
    doc.font('Helvetica').fontSize(9);
    const h = Math.max(18, doc.heightOfString(pdfText(r.comment ?? ''), { width: COLS[5]!.w - 6 }) + 8);
    if (y + h > A4.height - 160) break;
    doc
      .moveTo(MARGIN, y)
      .lineTo(MARGIN + width, y)
      .strokeColor('#ccc')
      .lineWidth(0.5)
      .stroke();
    cell(r.subject, 0, y, true);
    cell(fr(r.average), 1, y, true, 'right');
    cell(fr(r.classAverage), 2, y, false, 'right');
    cell(fr(r.min), 3, y, false, 'right');
    cell(fr(r.max), 4, y, false, 'right');
    cell(r.comment ?? '', 5, y);
    y += h;
  }
  doc
    .moveTo(MARGIN, y)
    .lineTo(MARGIN + width, y)
    .strokeColor('#000')
    .lineWidth(0.8)
    .stroke();
  doc.x = MARGIN;
  doc.y = y + 8;
  doc
    .font('Helvetica-Bold')
    .fontSize(10)
    .text(pdfText(`Moyenne générale : ${fr(p.overall)} / 20`), { width });
  doc.moveDown(0.8);
  const block = (title: string, text: string | null) => {
    doc.font('Helvetica-Bold').fontSize(10).fillColor(BLUE).text(pdfText(title), { width });
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor('#000')
      .text(pdfText(text ?? '—'), { width });
    doc.moveDown(0.6);
  };
  block('Appréciation du professeur principal', p.headTeacher);
  block('Appréciation de la direction', p.direction);
  doc
    .font('Helvetica')
    .fontSize(8)
    .fillColor('#555')
    .text(
      pdfText(
        'Moyennes sur 20, coefficients appliqués ; absences, dispenses et devoirs non rendus non comptés sauf règle de l’établissement.',
      ),
      MARGIN,
      A4.height - MARGIN - 20,
      { width },
    );
}

/** The PDF of some report pages (one student: one page; a class: one page each). */
export function reportPdf(pages: ReportPage[]): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: 10, left: MARGIN, right: MARGIN },
    autoFirstPage: false,
    info: { Title: 'Bulletin' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((ok, fail) => {
    doc.on('end', () => ok(Buffer.concat(chunks)));
    doc.on('error', fail);
  });
  if (pages.length === 0) {
    doc.addPage();
    doc.font('Helvetica').fontSize(12).text(pdfText('Aucun élève dans cette classe.'));
  }
  for (const p of pages) {
    doc.addPage();
    drawPage(doc, p);
  }
  doc.end();
  return done;
}
