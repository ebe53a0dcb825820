/**
 * Reads generated AAF files back with Préau's own parser and mapper (readAaf, mapRecord) and checks the links
 * between files (classes, groups, guardians, subjects, MEF): generated files must import with no anomaly.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import {
  type AafMef,
  type AafStaff,
  type AafStructure,
  type AafStudent,
  type AafSubject,
  mapRecord,
} from '../../../server/src/modules/directory/aaf/aaf-mapping.ts';
import { fileKind, readAaf } from '../../../server/src/modules/directory/aaf/aaf-parser.ts';

export interface CheckIssue {
  code: string;
  message: string;
  file?: string;
}

export interface CheckResult {
  files: number;
  records: number;
  /** Anomalies from Préau's parser and mapper, then link problems found across files. */
  issues: CheckIssue[];
}

export async function checkAafFiles(paths: string[], opts: { full: boolean }): Promise<CheckResult> {
  const issues: CheckIssue[] = [];
  const structures = new Map<string, AafStructure>();
  const students: AafStudent[] = [];
  const guardianKeys = new Set<string>();
  const guardianStudents: { key: string; students: string[] }[] = [];
  const staff: AafStaff[] = [];
  const subjects = new Set<string>();
  const mefs = new Set<string>();
  let records = 0;
  for (const path of paths) {
    const file = basename(path);
    const kind = fileKind(file);
    if (!kind) {
      issues.push({ code: 'FILE_NAME', message: `${file} does not follow the AAF file name pattern`, file });
      continue;
    }
    const read = await readAaf(createReadStream(path), { file });
    if (read.error) issues.push({ code: read.error.code, message: read.error.message, file });
    for (const a of read.anomalies) issues.push({ code: a.code, message: a.message, file });
    for (const record of read.records) {
      records++;
      const mapped = mapRecord(record, { file, fileType: kind.type });
      for (const a of mapped.anomalies) issues.push({ code: a.code, message: a.message, file });
      const e = mapped.entity;
      if (!e) continue;
      switch (e.entity) {
        case 'structure':
          structures.set(e.key, e);
          break;
        case 'student':
          students.push(e);
          break;
        case 'guardian':
          guardianKeys.add(e.key);
          guardianStudents.push({ key: e.key, students: e.studentKeys });
          break;
        case 'staff':
          staff.push(e);
          break;
        case 'subject':
          subjects.add((e as AafSubject).code);
          break;
        case 'mef':
          mefs.add((e as AafMef).code);
          break;
      }
    }
  }
  if (!opts.full) return { files: paths.length, records, issues };

  const link = (code: string, message: string) => issues.push({ code, message });
  const has = (kind: 'classes' | 'groups', structureKey: string, code: string) =>
    structures.get(structureKey)?.[kind].some((c) => c.code === code) ?? false;
  const studentKeys = new Set(students.map((s) => s.key));
  for (const s of students) {
    for (const c of s.classes)
      if (!has('classes', c.structureKey, c.code))
        link('UNKNOWN_CLASS', `${s.key}: class ${c.code} not in ${c.structureKey}`);
    for (const g of s.groups)
      if (!has('groups', g.structureKey, g.code))
        link('UNKNOWN_GROUP', `${s.key}: group ${g.code} not in ${g.structureKey}`);
    for (const l of s.guardians)
      if (!guardianKeys.has(l.guardianKey)) link('UNKNOWN_GUARDIAN', `${s.key}: guardian ${l.guardianKey} absent`);
    if (!s.guardians.some((l) => l.level === 'legal')) link('NO_LEGAL_GUARDIAN', `${s.key} has no legal guardian`);
    if (s.mef && !mefs.has(s.mef)) link('UNKNOWN_MEF', `${s.key}: MEF ${s.mef} absent`);
  }
  for (const g of guardianStudents)
    for (const k of g.students) if (!studentKeys.has(k)) link('UNKNOWN_STUDENT', `${g.key}: student ${k} absent`);
  const taught = new Set<string>();
  const headed = new Set<string>();
  for (const t of staff) {
    for (const a of t.assignments) {
      if (!has(a.kind === 'class' ? 'classes' : 'groups', a.structureKey, a.code))
        link('UNKNOWN_CLASS', `${t.key}: ${a.kind} ${a.code} not in ${a.structureKey}`);
      if (!subjects.has(a.subjectCode)) link('UNKNOWN_SUBJECT', `${t.key}: subject ${a.subjectCode} absent`);
      taught.add(`${a.structureKey}$${a.code}`);
    }
    for (const c of t.headTeacherOf) {
      if (!has('classes', c.structureKey, c.code)) link('UNKNOWN_CLASS', `${t.key}: head of unknown ${c.code}`);
      headed.add(`${c.structureKey}$${c.code}`);
    }
  }
  for (const st of structures.values()) {
    for (const c of st.classes) {
      if (!taught.has(`${st.key}$${c.code}`)) link('CLASS_WITHOUT_TEACHER', `${st.key}$${c.code}`);
      if (!headed.has(`${st.key}$${c.code}`)) link('CLASS_WITHOUT_HEAD_TEACHER', `${st.key}$${c.code}`);
    }
    for (const g of st.groups)
      if (!taught.has(`${st.key}$${g.code}`)) link('GROUP_WITHOUT_TEACHER', `${st.key}$${g.code}`);
  }
  return { files: paths.length, records, issues };
}
