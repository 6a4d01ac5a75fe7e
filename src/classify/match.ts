// Finds dictionary phrases in token streams: longest match first, over natural's n-grams of stems.
import { ngrams } from 'natural/lib/natural/ngrams/ngrams.js';
import type { CompiledCue, PhraseIndex } from './taxonomy.js';
import type { Token } from './text.js';

export interface Match {
  key: string;
  cues: CompiledCue[];
  /** Token index where the phrase starts (in the token array given). */
  start: number;
  /** Number of words. */
  length: number;
  negated: boolean;
}

/**
 * Matches an index against tokens. Runs of words between punctuation are turned into uni- to
 * maxN-grams (natural's NGrams); at each position the longest phrase wins and the words it covers
 * cannot start shorter phrases, so "integer overflow" does not also count as "overflow" and
 * "buffer overflow" not as "buffer" + "overflow".
 */
export function matchPhrases(tokens: Token[], index: PhraseIndex, negated?: boolean[]): Match[] {
  const out: Match[] = [];
  let runStart = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && !tokens[i]!.punct) continue;
    if (i > runStart) matchRun(tokens, runStart, i, index, negated, out);
    runStart = i + 1;
  }
  return out;
}

function matchRun(tokens: Token[], from: number, to: number, index: PhraseIndex, negated: boolean[] | undefined, out: Match[]): void {
  const stems = tokens.slice(from, to).map((t) => t.stem);
  const maxN = Math.min(index.maxN, stems.length);
  const grams: string[][] = [[]];
  for (let n = 1; n <= maxN; n++) grams.push(ngrams(stems, n).map((g) => g.join(' ')));
  for (let i = 0; i < stems.length; ) {
    let hit = 0;
    for (let n = Math.min(maxN, stems.length - i); n >= 1; n--) {
      const key = grams[n]![i]!;
      const cues = index.entries.get(key);
      if (cues) {
        out.push({ key, cues, start: from + i, length: n, negated: negated?.[from + i] ?? false });
        hit = n;
        break;
      }
    }
    i += hit || 1;
  }
}

/** Sum of the weights of the phrases matched (each phrase's first entry), optionally skipping negated ones. */
export function phraseScore(matches: Match[], opts: { skipNegated?: boolean } = {}): number {
  let s = 0;
  for (const m of matches) if (!(opts.skipNegated && m.negated)) s += m.cues[0]!.weight;
  return s;
}
