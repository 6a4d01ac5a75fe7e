// Loads a manifest (JSON or CSV) that maps review paths to the file they review and their reviewer.
import { readFile } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from './read.js';

export interface ManifestEntry {
  subject: string | null;
  reviewer: string | null;
  date: string | null;
}

export interface Manifest {
  file: string;
  /** Keyed by the review's real path on disk. */
  entries: Map<string, ManifestEntry>;
  problems: InputError[];
}

const REVIEW_KEYS = ['review', 'path', 'file_path', 'review_path'];
const SUBJECT_KEYS = ['subject', 'file', 'reviewed_file', 'target'];
const REVIEWER_KEYS = ['reviewer', 'model'];

/** Reads a manifest; entries that are malformed or contradict each other become problems. */
export async function loadManifest(file: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(file, `cannot read manifest: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const rows = extname(file).toLowerCase() === '.csv' ? csvRows(file, text) : jsonRows(file, text);
  const manifest: Manifest = { file, entries: new Map(), problems: [] };
  const base = dirname(file);
  for (const { review, entry, line } of rows) {
    const path = resolve(base, review);
    if (!existsSync(path)) {
      manifest.problems.push(new InputError(file, `names a review that does not exist: ${JSON.stringify(review)}`, line));
      continue;
    }
    const key = realpathSync(path);
    const before = manifest.entries.get(key);
    if (before && before.subject !== entry.subject) {
      manifest.problems.push(
        new InputError(file, `gives ${JSON.stringify(review)} two subjects: ${JSON.stringify(before.subject)} and ${JSON.stringify(entry.subject)} (the first is used)`, line),
      );
      continue;
    }
    manifest.entries.set(key, entry);
  }
  return manifest;
}

/** The manifest's entry for a review file, if any. */
export function manifestEntry(manifest: Manifest | null, reviewFile: string): ManifestEntry | null {
  if (!manifest) return null;
  try {
    return manifest.entries.get(realpathSync(reviewFile)) ?? null;
  } catch {
    return null;
  }
}

interface Row {
  review: string;
  entry: ManifestEntry;
  line?: number;
}

function jsonRows(file: string, text: string): Row[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, `manifest is not valid JSON: ${(error as Error).message}`);
  }
  const list = isObject(data) && 'reviews' in data ? data.reviews : data;
  if (Array.isArray(list)) {
    return list.map((value, i) => {
      if (!isObject(value)) throw new InputError(file, `reviews[${i}]: expected an object`);
      const review = pick(value, REVIEW_KEYS);
      if (review === null) throw new InputError(file, `reviews[${i}]: missing "review" (the review's path)`);
      return { review, entry: entryOf(value) };
    });
  }
  if (isObject(list)) {
    return Object.entries(list).map(([review, value]) => {
      if (typeof value === 'string') return { review, entry: { subject: value, reviewer: null, date: null } };
      if (isObject(value)) return { review, entry: entryOf(value) };
      throw new InputError(file, `${JSON.stringify(review)}: expected a subject string or an object`);
    });
  }
  throw new InputError(file, 'manifest must map review paths to subjects: an object, an array of records, or {"reviews": ...}');
}

function csvRows(file: string, text: string): Row[] {
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, bom: true, trim: true });
  } catch (error) {
    throw new InputError(file, `manifest is not valid CSV: ${(error as Error).message}`);
  }
  return records.map((record, i) => {
    const review = pick(record, REVIEW_KEYS);
    if (review === null) throw new InputError(file, `row ${i + 2}: missing the "review" column`, i + 2);
    return { review, entry: entryOf(record), line: i + 2 };
  });
}

function entryOf(value: Record<string, unknown>): ManifestEntry {
  return { subject: pick(value, SUBJECT_KEYS), reviewer: pick(value, REVIEWER_KEYS), date: pick(value, ['date']) };
}

function pick(value: Record<string, unknown>, keys: string[]): string | null {
  for (const key of keys) {
    const v = value[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
