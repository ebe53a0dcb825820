/**
 * Hand-written AAF records for import tests that need precise people (the generator, aaf-generator.ts, makes whole
 * académies): `aafPerson` is one `addRequest`, `aafXml` wraps requests into a file's content.
 */
export const aafXml = (requests: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ficAlimMENESR>\n${requests.join('')}</ficAlimMENESR>\n`;

/** An `addRequest` of a person of `category` (`Eleve`, `PersRelEleve`, `PersEducNat`…); empty attributes left out. */
export function aafPerson(category: string, id: string, attrs: [string, string[]][]): string {
  const body = attrs
    .filter(([, v]) => v.length)
    .map(([n, v]) => `<attr name="${n}">${v.map((x) => `<value>${x}</value>`).join('')}</attr>`)
    .join('');
  return `<addRequest><operationalAttributes><attr name="categoriePersonne"><value>${category}</value></attr></operationalAttributes><identifier><id>${id}</id></identifier><attributes>${body}</attributes></addRequest>\n`;
}
