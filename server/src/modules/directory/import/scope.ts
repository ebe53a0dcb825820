/**
 * Which structures an AAF upload is about, read before the job is queued: a local admin may only import
 * the establishments they administer. A structure record, or a person record whose every structure is
 * another establishment, makes the upload foreign. A quick streaming pass over the files (keys only).
 */
import { parseAaf } from '../aaf/aaf-parser.ts';
import { splitCompound } from '../aaf/values.ts';
import type { ImportSource } from './sources.ts';

export interface AafScope {
  /** Structure records: key → UAI. */
  structures: Map<string, string | null>;
  /** For each person record, the structure keys it names. */
  people: string[][];
}

const PERSON_STRUCTURE_ATTRS = [
  'ENTEleveClasses',
  'ENTEleveGroupes',
  'ENTPersonFonctions',
  'ENTAuxEnsClassesMatieres',
  'ENTAuxEnsGroupesMatieres',
  'ENTAuxEnsClassesPrincipal',
];

export async function scanAafScope(sources: ImportSource[]): Promise<AafScope> {
  const scope: AafScope = { structures: new Map(), people: [] };
  for (const source of sources) {
    try {
      for await (const r of parseAaf(source.open(), { file: source.name })) {
        if (r.kind === 'delete') continue;
        if (r.category === 'EtabEducNat' || (!r.category && r.attrs.ENTStructureUAI)) {
          scope.structures.set(r.id, r.attrs.ENTStructureUAI?.[0] ?? null);
          continue;
        }
        const keys = new Set(r.attrs.ENTPersonStructRattach ?? []);
        for (const a of PERSON_STRUCTURE_ATTRS)
          for (const v of r.attrs[a] ?? []) {
            const k = splitCompound(v)[0];
            if (k) keys.add(k);
          }
        if (keys.size) scope.people.push([...keys]);
      }
    } catch {
      // A broken file: the job reports it (and writes nothing); what was read so far still counts here.
    }
  }
  return scope;
}
