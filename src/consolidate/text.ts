// Text normalisation for similarity: tokens, memoized Porter stems, synonym phrases, identifier shapes, Dice for near-duplicate strings.
import { createRequire } from 'node:module';
import filler from './data/filler.json' with { type: 'json' };
import synonyms from './data/synonyms.json' with { type: 'json' };

// natural is CommonJS and its package root is slow and noisy: load only the submodules we use.
const require = createRequire(import.meta.url);
const porter = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem(token: string): string };
const diceCoefficient = require('natural/lib/natural/distance/dice_coefficient.js') as (a: string, b: string) => number;
const englishStopwords = (require('natural/lib/natural/util/stopwords.js') as { words: string[] }).words;

const stemCache = new Map<string, string>();
/** Longer tokens are not words (hashes, base64, minified code) and are kept as they are. */
const MAX_STEM_LENGTH = 40;

/** Porter stem of a lowercased token, memoized (unmemoized stemming costs as much as parsing). */
export function stem(token: string): string {
  // Porter's regexes backtrack quadratically on a long run of consonants (a review's 1 MB line took hours).
  if (token.length > MAX_STEM_LENGTH) return token;
  let s = stemCache.get(token);
  if (s === undefined) {
    s = porter.stem(token);
    stemCache.set(token, s);
  }
  return s;
}

const STOP = new Set<string>([...englishStopwords, ...filler.words].map((w) => w.toLowerCase()));
const STOP_STEMS = new Set<string>([...STOP].map((w) => stem(w)));

/** Word → the word its synonym group is read as (`outdated` → `stale`): data in data/synonyms.json. */
const SYNONYMS = new Map<string, string>();
for (const [canonical, ...words] of synonyms.words) for (const w of words) SYNONYMS.set(w.toLowerCase(), canonical!);

/**
 * Multi-word phrases read as one term (`fee-on-transfer`, `transfer fee` → feeontransfer), by their
 * first word, longest first. Matched on the token sequence, so hyphens and spaces are alike.
 */
const PHRASES = new Map<string, Array<{ words: string[]; term: string }>>();
for (const [canonical, ...phrases] of synonyms.phrases) {
  for (const p of phrases) {
    const words = p.toLowerCase().split(/[^a-z0-9_]+/).filter(Boolean);
    const list = PHRASES.get(words[0]!) ?? [];
    list.push({ words, term: canonical! });
    PHRASES.set(words[0]!, list);
  }
}
for (const list of PHRASES.values()) list.sort((a, b) => b.words.length - a.words.length || (a.words.join(' ') < b.words.join(' ') ? -1 : 1));

/** The phrase starting at token `i`, if any: the term it reads as and how many tokens it spans. */
function phraseAt(tokens: string[], i: number, first: string): { term: string; length: number } | null {
  const list = PHRASES.get(first);
  if (list === undefined) return null;
  next: for (const p of list) {
    if (i + p.words.length > tokens.length) continue;
    for (let k = 1; k < p.words.length; k++) if (tokenInfo(tokens[i + k]!).lower !== p.words[k]) continue next;
    return { term: p.term, length: p.words.length };
  }
  return null;
}

/** Word-like tokens of a text, links, hex literals and line anchors left out. */
function tokensOf(text: string): string[] {
  return text.replace(NOISE, ' ').match(TOKEN) ?? [];
}

/**
 * Could this token be identifier-shaped (see isIdentifierShaped)? A cheap test that lets plain words
 * skip the token cache once only identifiers are wanted.
 */
function mayBeShaped(raw: string): boolean {
  for (let i = 1; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    // '_' '.' ')' or an upper-case letter after the first character.
    if (c === 95 || c === 46 || c === 41 || (c >= 65 && c <= 90)) return true;
  }
  return raw.charCodeAt(0) === 95;
}

/** A token shaped like code: snake_case, camelCase, dotted path, call `f()`, SCREAMING_CASE. */
export function isIdentifierShaped(raw: string): boolean {
  if (raw.length < 3) return false;
  if (/[A-Za-z]_|_[A-Za-z]/.test(raw)) return true;
  if (/[a-z][A-Z]/.test(raw)) return true;
  if (/[A-Za-z]\.[A-Za-z]/.test(raw) && !/\.(com|org|io|md|html)$/i.test(raw)) return true;
  return /\(\)$/.test(raw);
}

/**
 * Normalised identifier key: the leading name of a code span (`run_as_root=True` → run_as_root,
 * `registry.latestRoundData(token)` → registry.latestrounddata), lowercased.
 */
export function normalizeIdentifier(raw: string): string {
  // `Contract#function` (as audit reports name members) is the dotted path `contract.function`.
  const m = raw.trim().match(/[A-Za-z_$][A-Za-z0-9_$]*(?:[.#][A-Za-z_$][A-Za-z0-9_$]*)*/);
  return m ? m[0].replace(/#/g, '.').toLowerCase() : '';
}

/** The keys an identifier contributes: itself, and for dotted paths (`utils.execute`) its last member too. */
export function identifierKeys(raw: string): string[] {
  let id = normalizeIdentifier(raw);
  // A file name in a code span (`IchiLpOracle.sol`) names its module: keep the name, drop the extension.
  if (FILE_NAME.test(id)) id = id.replace(/\.[a-z]+$/, '').replace(/^.*[./]/, '');
  if (id.length < 2) return [];
  const keys = [id];
  const dot = id.lastIndexOf('.');
  if (dot > 0 && dot < id.length - 2) keys.push(id.slice(dot + 1));
  return keys;
}

/** Split an identifier into its words: `getPositionIdsByOwner` → get position ids by owner. */
export function splitIdentifier(raw: string): string[] {
  return raw
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** Links, hex literals and line anchors: they name places (handled as evidence), not the issue. */
const NOISE = /\b(?:https?:\/\/|www\.)\S+|\b0x[0-9a-fA-F]{6,}\b|#L\d+(?:-L\d+)?/g;

/** A token that is a file name (`Bank.sol`, `utils.py`): a place, not an identifier of code. */
const FILE_NAME = /\.(?:sol|py|js|ts|jsx|tsx|go|rs|java|kt|c|h|cc|cpp|hpp|cs|rb|php|swift|md|json|ya?ml|toml|txt|sh|vy|move|cairo)$/i;

/** A word, or an identifier kept whole (`run_as_root`, `utils.execute`, `f()`). */
const TOKEN = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(\))?/g;

/**
 * Content stems of a text: words lowercased, stopwords, filler and bare numbers dropped,
 * Porter-stemmed. Identifier-shaped tokens are split into their words (`getPositionIdsByOwner` →
 * get position ids by owner), or skipped with `identifiers: 'skip'`; tokens in `skip` are dropped.
 */
export function contentStems(text: string, options: { identifiers?: 'split' | 'skip'; skip?: Set<string> } = {}): string[] {
  const out: string[] = [];
  const tokens = tokensOf(text);
  for (let i = 0; i < tokens.length; i++) {
    let t = tokenInfo(tokens[i]!);
    const phrase = t.phrase ? phraseAt(tokens, i, t.lower) : null;
    if (phrase) {
      t = tokenInfo(phrase.term);
      i += phrase.length - 1;
    }
    if (t.file || options.skip?.has(t.lower)) continue;
    if (t.shaped && options.identifiers === 'skip') continue;
    for (const s of t.stems) out.push(s);
  }
  return out;
}

/** What similarity reads from one text, in a single pass. */
export interface TextTerms {
  /** Content stems (identifiers split into words), the first `limit` of them. */
  stems: string[];
  /** Content stems without identifiers or the `skip` names, the first `proseLimit` of them. */
  prose: string[];
  /** Every identifier-shaped token of the whole text, normalised. */
  identifiers: string[];
}

/** Content stem of a lowercased word, or null for stopwords, filler, numbers and line anchors. */
function wordStem(w: string): string | null {
  if (w.length < 2 || /^[0-9]+$/.test(w) || /^l[0-9]+$/.test(w) || STOP.has(w)) return null;
  const s = stem(SYNONYMS.get(w) ?? w);
  return s.length < 2 || STOP_STEMS.has(s) ? null : s;
}

/** What one raw token contributes; the same tokens recur across findings, so this is memoized. */
interface TokenInfo {
  /** A file name: a place, not a word. */
  file: boolean;
  /** Identifier-shaped: its words count as text, but not as prose about the concern. */
  shaped: boolean;
  /** Identifier keys (empty unless shaped). */
  identifiers: string[];
  /** Content stems: the token's own, or its words' when it is an identifier. */
  stems: string[];
  lower: string;
  /** Whether a synonym phrase may start with this token. */
  phrase: boolean;
}

const tokenCache = new Map<string, TokenInfo>();
/** The token cache is dropped when it holds this many tokens (a long-lived process reading very varied text). */
const MAX_CACHED_TOKENS = 1_000_000;
function tokenInfo(raw: string): TokenInfo {
  let info = tokenCache.get(raw);
  if (info !== undefined) return info;
  if (tokenCache.size >= MAX_CACHED_TOKENS) tokenCache.clear();
  const file = FILE_NAME.test(raw);
  const shaped = !file && isIdentifierShaped(raw);
  const stems: string[] = [];
  if (!file) {
    for (const w of shaped ? splitIdentifier(raw) : [raw.toLowerCase()]) {
      const s = wordStem(w);
      if (s !== null) stems.push(s);
    }
  }
  const lower = raw.toLowerCase();
  info = { file, shaped, identifiers: shaped ? identifierKeys(raw) : [], stems, lower, phrase: PHRASES.has(lower) };
  // Long tokens (hashes, minified code) rarely recur: not worth the memory.
  if (raw.length <= MAX_STEM_LENGTH) tokenCache.set(raw, info);
  return info;
}

/**
 * Stems, prose stems and identifiers of a text in one tokenisation (texts can be long audit
 * reports): once `limit` stems and `proseLimit` prose stems are read, only identifiers are looked for.
 */
export function textTerms(text: string, limit: number, proseLimit: number, skip: Set<string> = new Set()): TextTerms {
  const out: TextTerms = { stems: [], prose: [], identifiers: [] };
  const tokens = tokensOf(text);
  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i]!;
    if (out.stems.length >= limit && out.prose.length >= proseLimit) {
      if (!mayBeShaped(raw)) continue;
      const t = tokenInfo(raw);
      if (t.shaped) for (const k of t.identifiers) out.identifiers.push(k);
      continue;
    }
    let t = tokenInfo(raw);
    const phrase = t.phrase ? phraseAt(tokens, i, t.lower) : null;
    if (phrase) {
      t = tokenInfo(phrase.term);
      i += phrase.length - 1;
    }
    if (t.file) continue;
    if (t.shaped) for (const k of t.identifiers) out.identifiers.push(k);
    const named = t.shaped || (skip.size > 0 && skip.has(t.lower));
    for (const s of t.stems) {
      if (out.stems.length < limit) out.stems.push(s);
      if (!named && out.prose.length < proseLimit) out.prose.push(s);
    }
  }
  return out;
}

/** Identifier-shaped tokens of a text, normalised (code spans are the parser's job; this catches prose). */
export function textIdentifiers(text: string): string[] {
  const out: string[] = [];
  for (const raw of tokensOf(text)) if (isIdentifierShaped(raw)) out.push(...identifierKeys(raw));
  return out;
}

/** Sørensen–Dice coefficient on character bigrams. */
export function dice(a: string, b: string): number {
  if (!a || !b) return 0;
  return diceCoefficient(a, b);
}
