// Finds dictionary phrases in token streams: longest match first, walking stemmed n-grams through a prefix set.
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
 * Matches an index against tokens. At each position the uni-, bi-, tri-… grams of stems are
 * extended only while they are a prefix of some phrase (PhraseIndex.prefixes), and the longest
 * phrase wins; the words it covers cannot start shorter phrases, so "integer overflow" does not
 * also count as "overflow" and "buffer overflow" not as "buffer" + "overflow". Grams never span
 * punctuation. (natural's NGrams built every gram of every length as arrays first: measured at
 * about half of the classifier's time, mostly garbage collection, so the walk replaces it.)
 */
export function matchPhrases(tokens: Token[], index: PhraseIndex, negated?: boolean[]): Match[] {
  const out: Match[] = [];
  for (let i = 0; i < tokens.length; ) {
    if (tokens[i]!.punct) {
      i++;
      continue;
    }
    let key = '';
    let best: Match | null = null;
    for (let j = i; j < tokens.length && j - i < index.maxN; j++) {
      const t = tokens[j]!;
      if (t.punct) break;
      key = j === i ? t.stem : `${key} ${t.stem}`;
      const cues = index.entries.get(key);
      if (cues) best = { key, cues, start: i, length: j - i + 1, negated: negated?.[i] ?? false };
      if (!index.prefixes.has(key)) break;
    }
    if (best) {
      out.push(best);
      i += best.length;
    } else i++;
  }
  return out;
}

/** Sum of the weights of the phrases matched (each phrase's first entry), optionally skipping negated ones. */
export function phraseScore(matches: Match[], opts: { skipNegated?: boolean } = {}): number {
  let s = 0;
  for (const m of matches) if (!(opts.skipNegated && m.negated)) s += m.cues[0]!.weight;
  return s;
}
