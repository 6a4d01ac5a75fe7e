// Finds dictionary phrases in token streams: longest match first, walking stems down a trie of the phrases.
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
 * Matches an index against tokens. At each position the stems are walked down the index's trie
 * while they continue some phrase, and the longest phrase passed wins; the words it covers cannot
 * start shorter phrases, so "integer overflow" does not also count as "overflow" and "buffer
 * overflow" not as "buffer" + "overflow". Phrases never span punctuation. (natural's NGrams built
 * every gram of every length as arrays first: measured at about half of the classifier's time,
 * mostly garbage collection, so the walk replaces it; the trie saves building each gram's key.)
 */
export function matchPhrases(tokens: Token[], index: PhraseIndex, negated?: boolean[]): Match[] {
  const out: Match[] = [];
  for (let i = 0; i < tokens.length; ) {
    let node = index.trie;
    let best: Match | null = null;
    for (let j = i; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.punct) break;
      const next = node.next.get(t.stem);
      if (!next) break;
      node = next;
      if (node.cues) best = { key: node.key!, cues: node.cues, start: i, length: j - i + 1, negated: negated?.[i] ?? false };
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
