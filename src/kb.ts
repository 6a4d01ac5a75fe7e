// The knowledge base: assembled from reviews and subjects, checked against its JSON Schema, read back for rendering.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { KB, RecordKb, RenderableKb, Review } from './model.js';


let validator: ValidateFunction | null = null;

function compiled(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8'));
    validator = new Ajv2020({ allErrors: false, strict: false }).compile(schema);
  }
  return validator;
}

/** Finds schema/kb.schema.json from src/ (tests) or dist/src/ (compiled). */
function schemaPath(): string {
  const path = ['../schema/kb.schema.json', '../../schema/kb.schema.json']
    .map((rel) => fileURLToPath(new URL(rel, import.meta.url)))
    .find((candidate) => existsSync(candidate));
  if (!path) throw new Error('schema/kb.schema.json not found next to the package');
  return path;
}

/** Problems that make `data` not a KB, as `path: message` lines; empty when valid. */
export function validateKb(data: unknown): string[] {
  const validate = compiled();
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}

/** Serializes deterministically: two builds of the same input give the same bytes. */
export function serializeKb(kb: KB): string {
  return [...serializeKbChunks(kb)].join('');
}

/**
 * kb.json one review or subject at a time: a repository's KB is longer than the longest string V8 can
 * hold. Each element of a top-level array is `JSON.stringify(element, null, 1)` as is, on lines of its
 * own: re-indenting it to its depth cost twice the stringify itself, and any JSON reader reads it alike.
 * `reviews`, when given, stands in for the elements of `kb.reviews`: the entries a build kept aside
 * (pipeline.ts buildSpilled), in order, joined by `,\n`, some of them UTF-8 bytes as read from a file.
 */
export function serializeKbChunks(kb: KB): Generator<string>;
export function serializeKbChunks(kb: RecordKb, reviews: Iterable<string | Uint8Array>): Generator<string | Uint8Array>;
export function* serializeKbChunks(kb: KB | RecordKb, reviews?: Iterable<string | Uint8Array>): Generator<string | Uint8Array> {
  const entries = Object.entries(kb).filter(([, value]) => value !== undefined);
  yield '{';
  for (const [i, [key, value]] of entries.entries()) {
    yield `${i === 0 ? '' : ','}\n${JSON.stringify(key)}: `;
    if (key === 'reviews' && reviews && kb.reviews.length > 0) {
      yield '[\n';
      yield* reviews;
      yield '\n]';
    } else if (Array.isArray(value) && value.length > 0) {
      yield '[';
      for (const [j, item] of value.entries()) yield `${j === 0 ? '' : ','}\n${kbEntry(item)}`;
      yield '\n]';
    } else {
      yield JSON.stringify(value, null, 1);
    }
  }
  yield '\n}\n';
}

/** One element of a top-level array of kb.json, as serializeKbChunks writes it. */
export function kbEntry(element: unknown): string {
  return JSON.stringify(element, null, 1);
}

/** A review's own fields, which come before its analysis' (see pipeline.ts toReview). */
export type ReviewHead = Pick<Review, 'id' | 'source' | 'subject' | 'subjectInferred' | 'reviewer' | 'date' | 'hash'>;

/**
 * The start of a review's kbEntry: `{`, its own fields, and what separates them from the analysis'.
 * Followed by the analysis' `JSON.stringify(analysis, null, 1)` from its first field on, it is the
 * review's kbEntry, byte for byte (its fields sit at the same depth in both): the build then never
 * stringifies a review's analysis again (see worker/run.ts KbText).
 */
export function reviewEntryHead(r: ReviewHead): string {
  const head = JSON.stringify({ id: r.id, source: r.source, subject: r.subject, subjectInferred: r.subjectInferred, reviewer: r.reviewer, date: r.date, hash: r.hash }, null, 1);
  return `${head.slice(0, -2)},\n`;
}

/** Reads and validates a kb.json; throws an Error naming the file and the first problems. */
export async function readKb(file: string): Promise<KB> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not a readable kb.json: ${(error as Error).message}`);
  }
  const problems = validateKb(data);
  if (problems.length > 0) throw new Error(`${file}: not a valid kb.json: ${problems.slice(0, 3).join('; ')}`);
  return data as KB;
}

/**
 * The KB as the renderers read it, holding nothing of the reviews but their metadata (see ReviewMeta):
 * once kb.json is written, the rest can go. Each distinct reason is kept once.
 */
export function renderableKb(kb: RenderableKb): RenderableKb {
  const once = interner();
  return {
    ...kb,
    reviews: kb.reviews.map((r) => ({
      id: r.id,
      reviewer: r.reviewer,
      date: r.date,
      verdict: r.verdict,
      contradiction: r.contradiction,
      findings: r.findings.map((f) => ({ item: f.item, reasons: f.reasons.map(once) })),
    })),
  };
}

/** Gives back one string per distinct value: the classifier gives the same few reasons to thousands of findings. */
export function interner(): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => {
    const known = seen.get(text);
    if (known !== undefined) return known;
    seen.set(text, text);
    return text;
  };
}
