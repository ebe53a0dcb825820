import PDFDocument from 'pdfkit';
import { frenchDate } from '../../platform/dates.ts';
import { pdfText } from '../directory/index.ts';

/** What a printed logbook holds: per subject, its lessons in date order; the visas at the end. */
export interface PrintedLogbook {
  establishment: string;
  title: string;
  from: string;
  to: string;
  subjects: {
    name: string;
    lessons: {
      date: string;
      start: string | null;
      who: string;
      title: string;
      content: string;
      links: string[];
      homework: { due: string; kind: string; text: string }[];
      signed: boolean;
      amended: boolean;
    }[];
  }[];
  visas: { signer: string; role: 'principal' | 'inspector'; through: string; at: string; comment: string | null }[];
}

const KIND: Record<string, string> = {
  exercise: 'Exercices',
  lesson: 'Leçon à apprendre',
  assessment: 'Évaluation',
  project: 'Projet',
};

const day = (d: string) => frenchDate(d, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const short = (d: string) => frenchDate(d, { day: 'numeric', month: 'long', year: 'numeric' });
const when = { format: (at: Date) => frenchDate(at, { dateStyle: 'long', timeStyle: 'short' }) };

const MARGIN = 50;

/**
 * The logbook as schools keep it: one section per subject, each lesson with its date, class and teacher, title,
 * content, links and the homework set; signed lessons marked; the visas listed at the end. A4, the standard
 * PDF fonts (text filtered to WinAnsi), written as a stream the caller pipes.
 */
export function printLogbook(p: PrintedLogbook): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: pdfText(`Cahier de textes — ${p.title}`), Author: pdfText(p.establishment), Creator: 'Préau' },
  });
  const width = doc.page.width - 2 * MARGIN;
  doc
    .font('Helvetica-Bold')
    .fontSize(18)
    .fillColor('#000091')
    .text(pdfText(`Cahier de textes — ${p.title}`), { width });
  doc
    .font('Helvetica')
    .fontSize(11)
    .fillColor('#3a3a3a')
    .text(pdfText(`${p.establishment} — du ${short(p.from)} au ${short(p.to)}`), { width });
  doc.moveDown(1);
  if (p.subjects.length === 0) {
    doc.fillColor('#000000').text(pdfText('Aucune séance écrite sur cette période.'), { width });
  }
  for (const s of p.subjects) {
    if (doc.y > doc.page.height - 150) doc.addPage();
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(14).fillColor('#000091').text(pdfText(s.name), { width });
    doc
      .moveTo(MARGIN, doc.y + 2)
      .lineTo(MARGIN + width, doc.y + 2)
      .strokeColor('#000091')
      .stroke();
    doc.moveDown(0.5);
    for (const l of s.lessons) {
      if (doc.y > doc.page.height - 120) doc.addPage();
      const head = `${day(l.date)}${l.start ? `, ${l.start.replace(':', ' h ')}` : ''}${l.who ? ` — ${l.who}` : ''}`;
      doc.font('Helvetica-Bold').fontSize(10).fillColor('#3a3a3a').text(pdfText(head), { width });
      doc
        .font('Helvetica-Bold')
        .fontSize(11)
        .fillColor('#000000')
        .text(pdfText(`${l.title}${l.signed ? '  [visé]' : ''}${l.amended ? '  [rectifié après visa]' : ''}`), {
          width,
        });
      if (l.content) doc.font('Helvetica').fontSize(10).text(pdfText(l.content), { width });
      for (const url of l.links)
        doc.font('Helvetica').fontSize(9).fillColor('#000091').text(pdfText(url), { width, link: url });
      for (const h of l.homework)
        doc
          .font('Helvetica-Oblique')
          .fontSize(10)
          .fillColor('#000000')
          .text(pdfText(`Pour le ${short(h.due)} (${KIND[h.kind] ?? h.kind}) : ${h.text}`), { width });
      doc.moveDown(0.6);
    }
  }
  if (p.visas.length) {
    if (doc.y > doc.page.height - 150) doc.addPage();
    doc.moveDown(1);
    doc.font('Helvetica-Bold').fontSize(13).fillColor('#000091').text('Visas', { width });
    for (const v of p.visas)
      doc
        .font('Helvetica')
        .fontSize(10)
        .fillColor('#000000')
        .text(
          pdfText(
            `Visé jusqu'au ${short(v.through)} par ${v.signer} (${v.role === 'principal' ? 'direction' : 'inspection'}), le ${when.format(new Date(v.at))}${v.comment ? ` : « ${v.comment} »` : '.'}`,
          ),
          { width },
        );
  }
  // Page numbers, once every page exists.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing in the bottom margin must not open a new page.
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor('#666666')
      .text(pdfText(`${p.title} — page ${i + 1} / ${range.count}`), MARGIN, doc.page.height - 30, {
        width,
        align: 'center',
        lineBreak: false,
      });
  }
  doc.end();
  return doc;
}
