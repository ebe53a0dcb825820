import PDFDocument from 'pdfkit';

/** What one sheet shows. `code` is set for accounts awaiting activation, null for activated ones. */
export interface Sheet {
  displayName: string;
  login: string;
  role: string;
  classes: string[];
  children: string[];
  code: string | null;
  expiresOn: string | null;
  /** Awaiting activation, but the code is the platform administrator's to give (shared account). */
  codeFromPlatform?: boolean;
  minPasswordLength: number;
}

export interface SheetsDocument {
  establishmentName: string;
  origin: string;
  layout: 'full' | 'half';
  title: string;
}

// The standard PDF fonts speak WinAnsi: keep Latin-1 and the few extra characters it has, strip the accents
// of others (Ş → S), and show anything else as `?` rather than garbage.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const winAnsi = (c: string) => {
  const n = c.codePointAt(0)!;
  return (n >= 0x20 && n <= 0x7e) || (n >= 0xa0 && n <= 0xff) || WIN_ANSI_EXTRA.has(c);
};
export function pdfText(s: string): string {
  let out = '';
  for (const c of s) {
    if (winAnsi(c)) out += c;
    else {
      const base = c.normalize('NFD').replace(/\p{M}/gu, '');
      out += [...base].every(winAnsi) && base.length > 0 ? base : '?';
    }
  }
  return out;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;

/** Draw one sheet inside the box; `s` scales the type for half pages. */
function drawSheet(doc: PDFKit.PDFDocument, d: SheetsDocument, sheet: Sheet, top: number, height: number) {
  const s = d.layout === 'half' ? 0.82 : 1;
  const left = MARGIN;
  const width = A4.width - 2 * MARGIN;
  const gap = (n: number) => doc.moveDown(n * s);
  doc.x = left;
  doc.y = top;

  doc
    .font('Helvetica-Bold')
    .fontSize(15 * s)
    .fillColor('#000091')
    .text(pdfText(d.establishmentName), { width });
  doc
    .font('Helvetica')
    .fontSize(10.5 * s)
    .fillColor('#3a3a3a')
    .text('Espace numérique de travail (ENT) — vos identifiants de connexion', { width });
  gap(0.8);

  doc
    .fillColor('#000000')
    .font('Helvetica-Bold')
    .fontSize(13 * s)
    .text(pdfText(sheet.displayName), { width });
  const detail = [sheet.role, sheet.classes.length > 0 ? `classe ${sheet.classes.join(', ')}` : null]
    .filter(Boolean)
    .join(' — ');
  doc
    .font('Helvetica')
    .fontSize(10.5 * s)
    .text(pdfText(detail), { width });
  if (sheet.children.length > 0) doc.text(pdfText(`Responsable de : ${sheet.children.join(', ')}`), { width });
  gap(0.8);

  const field = (label: string, value: string) => {
    const y = doc.y;
    doc
      .font('Helvetica')
      .fontSize(10.5 * s)
      .text(label, left + 10, y + 7 * s, { width: 150 });
    // On one line, whatever its length: a long login (« marie-christine.de-la-fontaine2 ») is set smaller
    // rather than broken over two lines and out of its box.
    const room = width - 175;
    doc.font('Courier-Bold').fontSize(15 * s);
    const fits = doc.widthOfString(value);
    if (fits > room) doc.fontSize(Math.max(7, (15 * s * room) / fits));
    doc.text(value, left + 165, y + 5 * s, { width: room, lineBreak: false });
    const h = 26 * s;
    doc.lineWidth(0.8).strokeColor('#000091').rect(left, y, width, h).stroke();
    doc.x = left;
    doc.y = y + h + 4 * s;
  };
  field('Identifiant', pdfText(sheet.login));

  if (sheet.code) {
    field("Code d'activation", sheet.code);
    doc
      .font('Helvetica-Oblique')
      .fontSize(9.5 * s)
      .fillColor('#3a3a3a');
    doc.text(
      `Ce code ne sert qu'une seule fois${sheet.expiresOn ? `, jusqu'au ${sheet.expiresOn}` : ''}.`,
      left,
      doc.y,
      { width },
    );
    doc.fillColor('#000000');
    gap(0.8);
    doc
      .font('Helvetica-Bold')
      .fontSize(11 * s)
      .text('Première connexion', { width });
    doc.font('Helvetica').fontSize(10.5 * s);
    const steps = [
      `Allez à l'adresse de l'ENT : ${d.origin}/activate`,
      "Saisissez votre identifiant et votre code d'activation, tels qu'ils sont écrits ci-dessus.",
      `Choisissez votre mot de passe : au moins ${sheet.minPasswordLength} caractères, que vous seul connaissez.`,
      "Lisez et acceptez la charte d'utilisation de l'ENT.",
    ];
    steps.forEach((step, i) => {
      doc.text(pdfText(`${i + 1}.  ${step}`), left + 6, doc.y, { width: width - 6 });
    });
    gap(0.5);
    doc.text(
      pdfText(`Ensuite, connectez-vous sur ${d.origin} avec votre identifiant et votre mot de passe.`),
      left,
      doc.y,
      { width },
    );
  } else if (sheet.codeFromPlatform) {
    gap(0.4);
    doc.font('Helvetica').fontSize(10.5 * s);
    doc.text(
      pdfText(
        "Votre compte est aussi rattaché à un autre établissement : votre code d'activation vous est remis par l'administrateur de la plateforme ENT, pas par cet établissement.",
      ),
      left,
      doc.y,
      { width },
    );
    doc.text(pdfText(`Avec ce code, activez votre compte à l'adresse ${d.origin}/activate.`), left, doc.y, { width });
  } else {
    gap(0.4);
    doc.font('Helvetica').fontSize(10.5 * s);
    doc.text(
      pdfText(
        `Votre compte est déjà activé : connectez-vous sur ${d.origin} avec votre identifiant et votre mot de passe.`,
      ),
      left,
      doc.y,
      { width },
    );
    doc.text(
      pdfText("Mot de passe oublié ? Demandez une réinitialisation à l'administrateur de l'ENT de l'établissement."),
      left,
      doc.y,
      { width },
    );
  }

  doc
    .font('Helvetica-Oblique')
    .fontSize(8.5 * s)
    .fillColor('#666666');
  doc.text(
    pdfText(
      'Document personnel : gardez-le en lieu sûr et ne le communiquez à personne. En cas de perte, adressez-vous à la vie scolaire.',
    ),
    left,
    top + height - 30 * s,
    { width },
  );
  doc.fillColor('#000000');
}

/**
 * The login sheets as a PDF stream: one A4 page per person, or two per page with a cut line. Pages are
 * written a few at a time so a thousand sheets never hold the event loop; the caller pipes the stream.
 */
export function sheetsPdf(d: SheetsDocument, list: Sheet[]): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    info: { Title: pdfText(d.title), Author: pdfText(d.establishmentName), Creator: 'Préau' },
  });
  const write = async () => {
    const half = A4.height / 2;
    for (let i = 0; i < list.length; i++) {
      const second = d.layout === 'half' && i % 2 === 1;
      // A low bottom margin: the footer sits near the edge, and must never spill onto a page of its own.
      if (!second) doc.addPage({ size: 'A4', margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: 16 } });
      if (d.layout === 'half') {
        if (second) {
          doc
            .save()
            .dash(4, { space: 4 })
            .strokeColor('#999999')
            .moveTo(20, half)
            .lineTo(A4.width - 20, half)
            .stroke()
            .restore();
          doc.undash();
        }
        drawSheet(doc, d, list[i]!, second ? half + 24 : MARGIN - 8, half - MARGIN);
      } else {
        drawSheet(doc, d, list[i]!, MARGIN, A4.height - 2 * MARGIN);
      }
      if (i % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
    }
    if (list.length === 0) {
      doc.addPage();
      doc.font('Helvetica').fontSize(12).text(pdfText('Aucune fiche à imprimer pour cette sélection.'));
    }
    doc.end();
  };
  write().catch((e: Error) => doc.destroy(e));
  return doc;
}
