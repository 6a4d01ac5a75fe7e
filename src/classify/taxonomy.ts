// Loads, validates, merges and compiles taxonomy files (categories, CWE ids, cue lexicons) into matchable form.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import TfIdf from 'natural/lib/natural/tfidf/tfidf.js';
import type { Severity, TaxonomyCategory } from '../model.js';
import { phraseKey } from './text.js';

/** Bumped when the classifier's method changes, so cached per-review results are recomputed. */
export const CLASSIFIER_VERSION = 1;

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** A cue as written in a taxonomy file: a weight, or a weight and the CWE the phrase points at. */
export type RawCue = number | { weight: number; cwe?: number };

export interface RawCategory {
  id: string;
  name?: string;
  description?: string;
  cwe?: number[];
  severity?: Severity;
  cues?: Record<string, RawCue>;
  controls?: Record<string, RawCue>;
}

export interface RawTaxonomy {
  extends?: string;
  categories?: RawCategory[];
  remove?: string[];
  lexicon?: Partial<RawLexicon>;
}

export type Weights = Record<string, number>;

export interface RawLexicon {
  negation: { triggers: string[]; pseudo?: string[]; terminators: string[]; maxScope: number };
  hedging: { cues: Weights };
  praise: { cues: Weights };
  mitigation: { cues: Weights; contrast: Weights };
  generic: { cues: Weights };
  concern: { cues: Weights };
  statements: {
    recommendationLabels: string[];
    riskLabels: string[];
    contextLabels: string[];
    recommendationStarts: string[];
    recommendationCues: Weights;
    riskCues: Weights;
  };
}

/** One phrase of a compiled cue dictionary. */
export interface CompiledCue {
  phrase: string;
  weight: number;
  /** For category cues: the category, whether it names a safeguard, and a specific CWE. */
  category?: string;
  control?: boolean;
  cwe?: number;
}

/** Phrases keyed by their stemmed form; one key may belong to several categories. */
export interface PhraseIndex {
  entries: Map<string, CompiledCue[]>;
  /** The same keys as a trie of stems, which matching walks word by word (see match.ts). */
  trie: PhraseNode;
  maxN: number;
}

/** One stem further into the phrases that start with the stems above it. */
export interface PhraseNode {
  next: Map<string, PhraseNode>;
  /** The phrase that ends here, if one does: its key and cues. */
  key: string | null;
  cues: CompiledCue[] | null;
}

function trieOf(entries: Map<string, CompiledCue[]>): PhraseNode {
  const root: PhraseNode = { next: new Map(), key: null, cues: null };
  for (const [key, cues] of entries) {
    let node = root;
    for (const stem of key.split(' ')) {
      let child = node.next.get(stem);
      if (!child) node.next.set(stem, (child = { next: new Map(), key: null, cues: null }));
      node = child;
    }
    node.key = key;
    node.cues = cues;
  }
  return root;
}

export interface CompiledLexicon {
  negationTriggers: Set<string>;
  negationPseudo: Set<string>;
  negationTerminators: Set<string>;
  maxScope: number;
  maxTriggerLen: number;
  hedging: PhraseIndex;
  praise: PhraseIndex;
  mitigation: PhraseIndex;
  contrast: PhraseIndex;
  generic: PhraseIndex;
  concern: PhraseIndex;
  recommendationLabels: Set<string>;
  riskLabels: Set<string>;
  contextLabels: Set<string>;
  recommendationStarts: PhraseIndex;
  recommendationCues: PhraseIndex;
  riskCues: PhraseIndex;
}

export interface Taxonomy {
  categories: TaxonomyCategory[];
  /** Category cues and controls of every category, IDF-weighted. */
  cues: PhraseIndex;
  lexicon: CompiledLexicon;
  /** Content hash of the categories, cues, lexicon and classifier version. */
  version: string;
}

const here = dirname(fileURLToPath(import.meta.url));
/** taxonomy/ of the package: works from src/classify/ and from dist/src/classify/. */
export function taxonomyDir(): string {
  for (const up of [join(here, '..', '..'), join(here, '..', '..', '..')]) {
    const dir = join(up, 'taxonomy');
    try {
      readFileSync(join(dir, 'default.json'));
      return dir;
    } catch {
      /* try the next candidate */
    }
  }
  throw new Error(`taxonomy/default.json not found near ${here}`);
}

function readJson(file: string, label: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${label}: cannot read taxonomy file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${label}: not valid JSON (${(e as Error).message})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a taxonomy file's shape; errors name the file and the entry. `partial` allows override entries. */
export function validateRaw(data: unknown, label: string, partialOf?: Set<string>): RawTaxonomy {
  if (!isObject(data)) throw new Error(`${label}: must be a JSON object with "categories"`);
  if (data.extends !== undefined && data.extends !== 'default') {
    throw new Error(`${label}: "extends" must be "default" (or absent to replace the default taxonomy)`);
  }
  if (data.categories !== undefined && !Array.isArray(data.categories)) throw new Error(`${label}: "categories" must be an array`);
  if (data.extends === undefined && !Array.isArray(data.categories)) throw new Error(`${label}: "categories" must be an array`);
  if (data.remove !== undefined && !(Array.isArray(data.remove) && data.remove.every((r) => typeof r === 'string'))) {
    throw new Error(`${label}: "remove" must be an array of category ids`);
  }
  if (data.lexicon !== undefined && !isObject(data.lexicon)) throw new Error(`${label}: "lexicon" must be an object`);
  const seen = new Set<string>();
  ((data.categories as unknown[]) ?? []).forEach((c, i) => {
    const where = `${label}: categories[${i}]`;
    if (!isObject(c)) throw new Error(`${where}: must be an object`);
    if (typeof c.id !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(c.id)) {
      throw new Error(`${where}: "id" must be a lowercase slug (letters, digits, dashes)`);
    }
    const at = `${where} ("${c.id}")`;
    if (seen.has(c.id)) throw new Error(`${at}: duplicate id`);
    seen.add(c.id);
    const isOverride = partialOf?.has(c.id) ?? false;
    for (const field of ['name', 'description'] as const) {
      if (c[field] === undefined && isOverride) continue;
      if (typeof c[field] !== 'string' || !(c[field] as string).trim()) throw new Error(`${at}: "${field}" must be a non-empty string`);
    }
    if (!(c.cwe === undefined && isOverride)) {
      if (!Array.isArray(c.cwe) || !c.cwe.every((n) => Number.isInteger(n) && (n as number) > 0)) {
        throw new Error(`${at}: "cwe" must be an array of integers`);
      }
    }
    if (c.severity !== undefined && !SEVERITIES.includes(c.severity as Severity)) {
      throw new Error(`${at}: "severity" must be one of ${SEVERITIES.join(', ')}`);
    }
    for (const field of ['cues', 'controls'] as const) {
      const v = c[field];
      if (v === undefined) continue;
      if (!isObject(v)) throw new Error(`${at}: "${field}" must be an object of phrase: weight`);
      for (const [phrase, cue] of Object.entries(v)) {
        const ok =
          (typeof cue === 'number' && Number.isFinite(cue) && cue >= 0) ||
          (isObject(cue) && typeof cue.weight === 'number' && cue.weight >= 0 && (cue.cwe === undefined || (Number.isInteger(cue.cwe) && (cue.cwe as number) > 0)));
        if (!ok) throw new Error(`${at}: ${field} "${phrase}" must be a weight ≥ 0 or {"weight": n, "cwe": id}`);
        if (!phraseKey(phrase)) throw new Error(`${at}: ${field} "${phrase}" has no words to match`);
      }
    }
  });
  return data as RawTaxonomy;
}

/** Applies an override file to the default: same id merges (cues key-wise, weight 0 removes), new ids are added. */
function mergeCategories(base: RawCategory[], over: RawTaxonomy): RawCategory[] {
  const out = new Map<string, RawCategory>(base.map((c) => [c.id, { ...c, cues: { ...c.cues }, controls: { ...c.controls } }]));
  for (const id of over.remove ?? []) if (id !== 'other') out.delete(id);
  for (const c of over.categories ?? []) {
    const prev = out.get(c.id);
    if (!prev) {
      out.set(c.id, { ...c });
      continue;
    }
    out.set(c.id, {
      ...prev,
      ...c,
      cues: { ...prev.cues, ...c.cues },
      controls: { ...prev.controls, ...c.controls },
    });
  }
  return [...out.values()];
}

function compilePhrases(weights: Weights | string[]): PhraseIndex {
  const entries = new Map<string, CompiledCue[]>();
  let maxN = 1;
  const list: [string, number][] = Array.isArray(weights) ? weights.map((w) => [w, 1]) : Object.entries(weights);
  for (const [phrase, weight] of list) {
    if (phrase.startsWith('$') || !(weight > 0)) continue;
    const key = phraseKey(phrase);
    if (!key) continue;
    maxN = Math.max(maxN, key.split(' ').length);
    const prev = entries.get(key) ?? [];
    prev.push({ phrase, weight });
    entries.set(key, prev);
  }
  return { entries, trie: trieOf(entries), maxN };
}

function compileLexicon(lex: RawLexicon): CompiledLexicon {
  const triggers = new Set(lex.negation.triggers.map(phraseKey).filter(Boolean));
  const s = lex.statements;
  return {
    negationTriggers: triggers,
    negationPseudo: new Set((lex.negation.pseudo ?? []).map(phraseKey).filter(Boolean)),
    negationTerminators: new Set(lex.negation.terminators.map(phraseKey).filter(Boolean)),
    maxScope: lex.negation.maxScope,
    maxTriggerLen: Math.max(1, ...[...triggers, ...(lex.negation.pseudo ?? []).map(phraseKey)].map((t) => t.split(' ').length)),
    hedging: compilePhrases(lex.hedging.cues),
    praise: compilePhrases(lex.praise.cues),
    mitigation: compilePhrases(lex.mitigation.cues),
    contrast: compilePhrases(lex.mitigation.contrast),
    generic: compilePhrases(lex.generic.cues),
    concern: compilePhrases(lex.concern.cues),
    recommendationLabels: new Set(s.recommendationLabels),
    riskLabels: new Set(s.riskLabels),
    contextLabels: new Set(s.contextLabels),
    recommendationStarts: compilePhrases(s.recommendationStarts),
    recommendationCues: compilePhrases(s.recommendationCues),
    riskCues: compilePhrases(s.riskCues),
  };
}

/**
 * Category cues, weighted by specificity × IDF. The weight in the file is the author's judgement of
 * how specific a phrase is; the IDF (natural's TfIdf, one "document" per category holding its cue
 * keys) discounts phrases that several categories share ("overflow", "password"), so a user who adds
 * a category with overlapping cues does not have to re-balance every other weight by hand.
 */
function compileCues(categories: RawCategory[]): PhraseIndex {
  const tfidf = new TfIdf();
  const keyed = categories.map((c) => {
    const cues: [string, string, RawCue, boolean][] = [];
    for (const [phrase, cue] of Object.entries(c.cues ?? {})) cues.push([phraseKey(phrase), phrase, cue, false]);
    for (const [phrase, cue] of Object.entries(c.controls ?? {})) cues.push([phraseKey(phrase), phrase, cue, true]);
    tfidf.addDocument(cues.map(([k]) => k), c.id);
    return { id: c.id, cues };
  });
  const n = categories.length;
  const maxIdf = 1 + Math.log(n / 2);
  const entries = new Map<string, CompiledCue[]>();
  let maxN = 1;
  for (const { id, cues } of keyed) {
    for (const [key, phrase, cue, control] of cues) {
      const base = typeof cue === 'number' ? cue : cue.weight;
      if (!(base > 0) || !key) continue;
      // idf = 1 + ln(N / (1 + df)): 1.0 for a phrase unique to one category; shared phrases get less.
      const idf = maxIdf > 0 ? Math.max(0, Math.min(1, tfidf.idf(key) / maxIdf)) : 1;
      const weight = Math.round(base * (0.5 + 0.5 * idf) * 1000) / 1000;
      const list = entries.get(key) ?? [];
      const compiled: CompiledCue = { phrase, weight, category: id, control };
      if (typeof cue === 'object' && cue.cwe !== undefined) compiled.cwe = cue.cwe;
      // Spellings that stem alike ("log", "logs", "logging") are one cue: keep the heaviest.
      const same = list.findIndex((c) => c.category === id);
      if (same >= 0) {
        if (list[same]!.weight < weight) list[same] = compiled;
      } else list.push(compiled);
      entries.set(key, list);
      maxN = Math.max(maxN, key.split(' ').length);
    }
  }
  return { entries, trie: trieOf(entries), maxN };
}

function mergeLexicon(base: RawLexicon, over?: Partial<RawLexicon>): RawLexicon {
  if (!over) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over)) {
    if (k.startsWith('$')) continue;
    out[k] = isObject(v) && isObject(out[k]) ? { ...(out[k] as object), ...v } : v;
  }
  return out as unknown as RawLexicon;
}

/** Reads the default taxonomy and optionally a user file that extends (`"extends": "default"`) or replaces it. */
export function buildTaxonomy(file?: string): Taxonomy {
  const dir = taxonomyDir();
  const base = validateRaw(readJson(join(dir, 'default.json'), 'taxonomy/default.json'), 'taxonomy/default.json');
  const baseLex = readJson(join(dir, 'lexicon.json'), 'taxonomy/lexicon.json') as RawLexicon;
  let categories = base.categories ?? [];
  let lexicon = baseLex;
  if (file) {
    const data = readJson(file, file);
    const extending = isObject(data) && data.extends === 'default';
    const custom = validateRaw(data, file, extending ? new Set(categories.map((c) => c.id)) : undefined);
    categories = extending ? mergeCategories(categories, custom) : (custom.categories ?? []);
    lexicon = mergeLexicon(baseLex, custom.lexicon);
  }
  // The classifier falls back to "other" when nothing fits, so every taxonomy has it.
  if (!categories.some((c) => c.id === 'other')) {
    categories = [...categories, { id: 'other', name: 'Other', description: 'Fits no other category.', cwe: [], severity: 'low' }];
  }
  const publicCategories: TaxonomyCategory[] = categories.map((c) => {
    const out: TaxonomyCategory = { id: c.id, name: c.name!, description: c.description!, cwe: [...(c.cwe ?? [])] };
    if (c.severity) out.severity = c.severity;
    return out;
  });
  const hash = createHash('sha256')
    .update(JSON.stringify({ v: CLASSIFIER_VERSION, categories, lexicon }))
    .digest('hex')
    .slice(0, 16);
  return { categories: publicCategories, cues: compileCues(categories), lexicon: compileLexicon(lexicon), version: hash };
}
