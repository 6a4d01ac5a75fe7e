// Text normalisation for similarity: tokens, memoized Porter stems, identifier shapes, string distances.
import { createRequire } from 'node:module';
import filler from './data/filler.json' with { type: 'json' };

// natural is CommonJS and its package root is slow and noisy: load only the submodules we use.
const require = createRequire(import.meta.url);
const porter = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem(token: string): string };
const jaroWinklerDistance = require('natural/lib/natural/distance/jaro-winkler_distance.js') as (
  a: string,
  b: string,
  options?: { ignoreCase?: boolean },
) => number;
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

/** True for a token that carries no information about which issue a finding raises. */
export function isStopword(token: string): boolean {
  return STOP.has(token) || STOP_STEMS.has(token);
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
  const m = raw.trim().match(/[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*/);
  return m ? m[0].toLowerCase() : '';
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

/** Raw word-like tokens of a text, identifiers kept whole (`run_as_root`, `utils.execute`, `f()`). */
export function rawTokens(text: string): string[] {
  const tokens = text.replace(NOISE, ' ').match(TOKEN) ?? [];
  return tokens.filter((t) => !FILE_NAME.test(t));
}

/**
 * Content stems of a text: words lowercased, stopwords, filler and bare numbers dropped,
 * Porter-stemmed. Identifier-shaped tokens are split into their words (`getPositionIdsByOwner` →
 * get position ids by owner), or skipped with `identifiers: 'skip'`; tokens in `skip` are dropped.
 */
export function contentStems(text: string, options: { identifiers?: 'split' | 'skip'; skip?: Set<string> } = {}): string[] {
  const out: string[] = [];
  for (const raw of rawTokens(text)) {
    if (options.skip?.has(raw.toLowerCase())) continue;
    const shaped = isIdentifierShaped(raw);
    if (shaped && options.identifiers === 'skip') continue;
    const words = shaped ? splitIdentifier(raw) : [raw.toLowerCase()];
    for (const w of words) {
      const s = wordStem(w);
      if (s !== null) out.push(s);
    }
  }
  return out;
}

/** What similarity reads from one text, in a single pass. */
export interface TextTerms {
  /** Content stems (identifiers split into words), the first `limit` of them. */
  stems: string[];
  /** Content stems without identifiers or the `skip` names, the first `limit` of them. */
  prose: string[];
  /** Every identifier-shaped token of the whole text, normalised. */
  identifiers: string[];
}

function wordStem(w: string): string | null {
  if (w.length < 2 || /^[0-9]+$/.test(w) || /^l[0-9]+$/.test(w) || STOP.has(w)) return null;
  const s = stem(w);
  return s.length < 2 || STOP_STEMS.has(s) ? null : s;
}

/** Stems, prose stems and identifiers of a text in one tokenisation (texts can be long audit reports). */
export function textTerms(text: string, limit: number, skip: Set<string> = new Set()): TextTerms {
  const out: TextTerms = { stems: [], prose: [], identifiers: [] };
  for (const raw of text.replace(NOISE, ' ').match(TOKEN) ?? []) {
    if (FILE_NAME.test(raw)) continue;
    const shaped = isIdentifierShaped(raw);
    if (shaped) out.identifiers.push(...identifierKeys(raw));
    if (out.stems.length >= limit && out.prose.length >= limit) continue;
    const named = shaped || skip.has(raw.toLowerCase());
    for (const w of shaped ? splitIdentifier(raw) : [raw.toLowerCase()]) {
      const s = wordStem(w);
      if (s === null) continue;
      if (out.stems.length < limit) out.stems.push(s);
      if (!named && out.prose.length < limit) out.prose.push(s);
    }
  }
  return out;
}

/** Identifier-shaped tokens of a text, normalised (code spans are the parser's job; this catches prose). */
export function textIdentifiers(text: string): string[] {
  const out: string[] = [];
  const tokens = text.replace(NOISE, ' ').match(TOKEN) ?? [];
  for (const raw of tokens) if (isIdentifierShaped(raw)) out.push(...identifierKeys(raw));
  return out;
}

/** Title normalised for string distances: lowercase words, punctuation and filler gone. */
export function normalizeTitle(title: string): string {
  return contentStems(title).join(' ');
}

/** Jaro–Winkler similarity of two normalised titles, rescaled so unrelated short strings (≈0.6) score 0. */
export function titleJaroWinkler(a: string, b: string): number {
  if (!a || !b) return 0;
  const jw = jaroWinklerDistance(a, b);
  return Math.max(0, (jw - 0.7) / 0.3);
}

/** Sørensen–Dice coefficient on character bigrams. */
export function dice(a: string, b: string): number {
  if (!a || !b) return 0;
  return diceCoefficient(a, b);
}

/** Remove fenced code blocks from markdown: pasted code is evidence of where, not prose about what. */
export function stripFencedCode(markdown: string): string {
  return markdown.replace(/^( {0,3})(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:\n\1?\2[`~]*[ \t]*(?=\n|$)|$)/gm, ' ');
}
