// Splits a .json / .jsonl batch of LLM outputs into review records with their optional metadata.
import { InputError } from './read.js';

/** Field names accepted in batch records, in order of preference. */
export const TEXT_FIELDS = ['text', 'response', 'content', 'review', 'output', 'completion'] as const;
export const SUBJECT_FIELDS = ['subject', 'file', 'path', 'filename'] as const;
export const REVIEWER_FIELDS = ['reviewer', 'model', 'author'] as const;
export const DATE_FIELDS = ['date', 'created', 'timestamp'] as const;
export const ID_FIELDS = ['id', 'review_id', 'name'] as const;

export interface BatchRecord {
  /** 1-based position in the batch. */
  index: number;
  /** The record's line in a JSONL file; undefined in a JSON file (JSON.parse keeps no positions, and line 1 would mislead). */
  line: number | undefined;
  key: string;
  text: string;
  subject: string | null;
  reviewer: string | null;
  date: string | null;
}

export interface BatchResult {
  records: BatchRecord[];
  /** Records that were skipped, one each. */
  problems: InputError[];
  /** Records kept with a field ignored (a subject that is not a string). */
  warnings: InputError[];
}

/** Parses a batch; bad records become problems, good ones still come through. */
export function parseBatch(file: string, text: string, format: 'json' | 'jsonl'): BatchResult {
  return format === 'jsonl' ? parseJsonl(file, text) : parseJson(file, text);
}

function parseJson(file: string, text: string): BatchResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const at = positionOf(text, (error as Error).message);
    throw new InputError(file, `not valid JSON: ${(error as Error).message} (skipped)`, at?.line, at?.column);
  }
  const list = Array.isArray(data)
    ? data
    : isObject(data) && Array.isArray(data.reviews)
      ? data.reviews
      : isObject(data) && firstString(data, TEXT_FIELDS) !== null
        ? [data]
        : null;
  if (list === null) {
    throw new InputError(file, `expected an array of review records, {"reviews": [...]}, or one record with a "${TEXT_FIELDS[0]}" field`);
  }
  const result: BatchResult = { records: [], problems: [], warnings: [] };
  list.forEach((value: unknown, i: number) => collect(file, value, i + 1, undefined, result));
  return result;
}

function parseJsonl(file: string, text: string): BatchResult {
  const result: BatchResult = { records: [], problems: [], warnings: [] };
  const lines = text.split(/\r?\n/);
  let index = 0;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    index++;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const truncated = i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '');
      const why = truncated ? 'last line is not complete JSON (truncated?)' : `not valid JSON: ${(error as Error).message}`;
      result.problems.push(new InputError(file, `record ${index}: ${why}`, i + 1, 1));
      return;
    }
    collect(file, value, index, i + 1, result);
  });
  return result;
}

function collect(file: string, value: unknown, index: number, line: number | undefined, result: BatchResult): void {
  const column = line === undefined ? undefined : 1;
  if (!isObject(value)) {
    result.problems.push(new InputError(file, `record ${index}: expected an object, got ${kindOf(value)}`, line, column));
    return;
  }
  const text = firstString(value, TEXT_FIELDS);
  if (text === null) {
    const present = TEXT_FIELDS.find((f) => f in value);
    const why = present
      ? `"${present}" must be a string, got ${kindOf(value[present])}`
      : `no review text (expected one of ${TEXT_FIELDS.map((f) => `"${f}"`).join(', ')})`;
    result.problems.push(new InputError(file, `record ${index}: ${why}`, line, column));
    return;
  }
  // A subject or reviewer of the wrong type would silently become an inferred one: say so.
  for (const fields of [SUBJECT_FIELDS, REVIEWER_FIELDS]) {
    const wrong = firstString(value, fields) === null ? fields.find((f) => value[f] !== undefined && value[f] !== null) : undefined;
    if (wrong) result.warnings.push(new InputError(file, `record ${index}: "${wrong}" should be a string, got ${kindOf(value[wrong])} (ignored)`, line, column));
  }
  const id = firstString(value, ID_FIELDS) ?? (typeof value.id === 'number' ? String(value.id) : null);
  result.records.push({
    index,
    line,
    key: id ?? String(index),
    text,
    subject: firstString(value, SUBJECT_FIELDS),
    reviewer: firstString(value, REVIEWER_FIELDS),
    date: firstString(value, DATE_FIELDS),
  });
}

function firstString(record: Record<string, unknown>, fields: readonly string[]): string | null {
  for (const field of fields) {
    const v = record[field];
    if (typeof v === 'string') return v;
  }
  return null;
}

/** Line and column of the `at position N` that V8's JSON.parse errors name, if any. */
function positionOf(text: string, message: string): { line: number; column: number } | null {
  const m = /at position (\d+)/.exec(message);
  if (!m) return null;
  const offset = Math.min(Number(m[1]), text.length);
  const before = text.slice(0, offset);
  const line = (before.match(/\n/g)?.length ?? 0) + 1;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
