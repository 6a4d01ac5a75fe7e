// The triage file: a user's decisions per finding fingerprint (false positive, accepted, fixed, open), read and validated.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { safeUrl } from './escape.js';

export type TriageStatus = 'false-positive' | 'accepted' | 'fixed' | 'open';
export const TRIAGE_STATUSES: readonly TriageStatus[] = ['false-positive', 'accepted', 'fixed', 'open'];

export interface TriageEntry {
  status: TriageStatus;
  note: string | null;
  /** URL of the ticket tracking this finding (http/https only). */
  ticket: string | null;
}

/** Fingerprint (a consolidated finding's stable id) → decision. */
export type Triage = ReadonlyMap<string, TriageEntry>;

/**
 * Reads a triage file (YAML or JSON — JSON is YAML): a mapping from fingerprint to
 * `{status, note?, ticket?}`; a bare status string is accepted as shorthand. Throws an Error naming
 * the file (and line, or the entry) on anything malformed, never guesses.
 */
export function loadTriage(file: string): Triage {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot read triage file: ${(error as Error).message}`);
  }
  return parseTriage(text, file);
}

/** {@link loadTriage} on text already in memory; `file` only names it in errors. */
export function parseTriage(text: string, file: string): Triage {
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new Error(`${file}${where}: invalid triage file: ${e.message.split('\n')[0]}`);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 0 });
  if (data === null || data === undefined) return new Map();
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(`${file}: a triage file is a mapping from fingerprint to {status, note, ticket}`);
  }
  const entries = new Map<string, TriageEntry>();
  for (const [fingerprint, value] of Object.entries(data as Record<string, unknown>)) {
    entries.set(fingerprint, parseEntry(value, `${file}: entry ${JSON.stringify(fingerprint)}`));
  }
  return new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function parseEntry(value: unknown, where: string): TriageEntry {
  const raw = typeof value === 'string' ? { status: value } : value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(`${where}: expected {status, note, ticket} or a status string`);
  }
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!['status', 'note', 'ticket'].includes(key)) throw new Error(`${where}: unknown field ${JSON.stringify(key)}`);
  }
  const status = record.status;
  if (typeof status !== 'string' || !TRIAGE_STATUSES.includes(status as TriageStatus)) {
    throw new Error(`${where}: status must be one of ${TRIAGE_STATUSES.join(', ')} (got ${JSON.stringify(status)})`);
  }
  const note = record.note;
  if (note !== undefined && note !== null && typeof note !== 'string') {
    throw new Error(`${where}: note must be a string`);
  }
  const ticket = record.ticket;
  if (ticket !== undefined && ticket !== null && (typeof ticket !== 'string' || safeUrl(ticket) === null)) {
    throw new Error(`${where}: ticket must be an http(s) URL (got ${JSON.stringify(ticket)})`);
  }
  return {
    status: status as TriageStatus,
    note: typeof note === 'string' && note.trim() !== '' ? note : null,
    ticket: typeof ticket === 'string' ? ticket : null,
  };
}
