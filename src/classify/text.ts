// Text primitives for the classifier: tokens with memoized Porter stems, sentences, n-gram keys, negation scopes.
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';
import { RegexpTokenizer } from 'natural/lib/natural/tokenizers/regexp_tokenizer.js';

/** One token of a sentence: a word (stemmed) or a clause-breaking punctuation mark. */
export interface Token {
  /** Lowercased surface form. */
  readonly norm: string;
  /** Stem used for matching; punctuation keeps its mark. */
  readonly stem: string;
  readonly punct: boolean;
}

// natural's RegexpTokenizer in match mode (gaps: false) with our own pattern: natural's WordTokenizer
// drops punctuation, and we need `,` `;` `.` to end negation scopes. Punctuation counts only when
// followed by a space or the end, so `msg.sender` and `0.0.0.0` stay inside one run of words.
const tokenizer = new RegexpTokenizer({ pattern: /[A-Za-z0-9_]+(?:['’][A-Za-z]+)?|[.!?;:,](?=\s|$)/g, gaps: false });

// Porter stemming unmemoized runs at ~3 MB/s (as slow as parsing); memoized ~65 MB/s.
const stemCache = new Map<string, string>();
/** Longer tokens are not English words (hashes, base64, a review's 1 MB line) and are kept as they are. */
const MAX_STEM_LENGTH = 40;

/**
 * Porter stem of a lowercased word, memoized. Short tokens (≤ 3 chars), numbers and contractions
 * are left alone: Porter turns "DoS" into "do". One pass only: iterating collapses unrelated words
 * ("signedness" → "signed" → "sign" = "signed"), so variants Porter keeps apart
 * ("environmental"/"environment") are listed as separate cues instead.
 */
export function stem(word: string): string {
  const w = word.toLowerCase();
  // Porter's regexes backtrack quadratically on a long run of consonants: a 1 MB "word" took hours.
  if (w.length > MAX_STEM_LENGTH) return w;
  const hit = stemCache.get(w);
  if (hit !== undefined) return hit;
  const s = w.length > 3 && /^[a-z]+$/.test(w) ? PorterStemmer.stem(w) : w;
  stemCache.set(w, s);
  return s;
}

/** Splits identifiers into words: `run_as_root` → run as root, `onlyOwner` → only Owner, `innerHTML` → inner HTML. */
function identifierParts(word: string): string[] {
  // An acronym with an English ending is the acronym: "DoSed", "DOSing", "APIs" → dos, dosing → dos, api.
  const acronym = /^([A-Z][A-Za-z]?[A-Z]+|[A-Z]{2,})(ed|ing|es|s)$/.exec(word);
  if (acronym && !/^[A-Z][a-z]+$/.test(word)) return [acronym[1]!];
  if (word.length <= 4 || !/[_]|[a-z][A-Z]|[A-Z]{2}[a-z]/.test(word)) return [word];
  return word
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[_\s]+/)
    .filter(Boolean);
}

// A review repeats its words: each distinct word's tokens are made once (the same objects every time;
// nothing changes a token). Long tokens are not cached, as in stem(); the cache is dropped when it
// holds this many words (a long-lived process reading very varied text).
const wordCache = new Map<string, readonly Token[]>();
const MAX_CACHED_WORDS = 1_000_000;

/** The tokens of one word or punctuation mark the tokenizer found. */
function tokensOfWord(raw: string): readonly Token[] {
  let tokens = wordCache.get(raw);
  if (tokens === undefined) {
    if (wordCache.size >= MAX_CACHED_WORDS) wordCache.clear();
    tokens = /^[.!?;:,]$/.test(raw)
      ? [{ norm: raw, stem: raw, punct: true }]
      : identifierParts(raw).map((part) => {
          const norm = part.toLowerCase();
          return { norm, stem: stem(norm), punct: false };
        });
    if (raw.length <= MAX_STEM_LENGTH) wordCache.set(raw, tokens);
  }
  return tokens;
}

/** Tokens of a text: words split at identifier boundaries and stemmed, plus clause punctuation. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // Links say where, not what: their path words ("contracts/oracle/…") would fire cues.
  const raw = tokenizer.tokenize(text.replace(/’/g, "'").replace(/\bhttps?:\/\/\S+/g, ' ')) ?? [];
  for (const r of raw) for (const token of tokensOfWord(r)) out.push(token);
  return out;
}

/** The matching key of a phrase: its stems joined by spaces ("shell injections" → "shell inject"). */
export function phraseKey(phrase: string): string {
  return tokenize(phrase)
    .filter((t) => !t.punct)
    .map((t) => t.stem)
    .join(' ');
}

const ABBREVIATIONS = /(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|fig|no|mr|dr)\.|\b[A-Za-z]\.)$/i;
const LABEL = /^(?:[-*+]\s+|\d+[.)]\s+)?\*{0,2}([A-Z][A-Za-z ]{1,28}?)\*{0,2}\s*:\*{0,2}\s+/;

/**
 * Sentences of a finding's plain text. Our own splitter, because natural's SentenceTokenizer
 * splits inside code (`utils.execute`) and after "e.g.". Line breaks end a sentence when the next
 * line starts a list item or a label ("Risk:", "Solution:"); a label inside a line starts a new one.
 */
export function sentences(text: string): string[] {
  const blocks = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n|\n(?=\s*(?:[-*+]\s|\d+[.)]\s|\*{0,2}[A-Z][A-Za-z ]{1,28}\*{0,2}:))/);
  const out: string[] = [];
  for (const block of blocks) {
    const flat = block.replace(/\s*\n\s*/g, ' ').trim();
    if (!flat) continue;
    // A label such as "Solution:" in the middle of a line begins a new sentence.
    const labelled = flat.replace(/\s+(?=\*{0,2}(?:Risk|Impact|Solution|Recommendation|Fix|Mitigation|Remediation)\*{0,2}:)/g, '\n');
    for (const piece of labelled.split('\n')) {
      let start = 0;
      const re = /[.!?](?=\s+["'`(*\[]?[A-Z0-9])/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(piece))) {
        const head = piece.slice(start, m.index + 1);
        if (ABBREVIATIONS.test(head)) continue;
        out.push(head.trim());
        start = m.index + 1;
      }
      const tail = piece.slice(start).trim();
      if (tail) out.push(tail);
    }
  }
  return out.filter((s) => /[A-Za-z0-9]/.test(s));
}

/** A label the sentence opens with ("Risk", "Solution"), lowercased, or null. */
export function sentenceLabel(sentence: string): string | null {
  const m = LABEL.exec(sentence);
  return m ? m[1]!.trim().toLowerCase() : null;
}

export interface ScopeLexicon {
  /** Trigger keys (stemmed phrases) by their length in tokens. */
  triggers: Set<string>;
  /** Phrases that look like triggers but negate nothing ("no one", "not only"). */
  pseudo: Set<string>;
  terminators: Set<string>;
  maxScope: number;
  maxTriggerLen: number;
}

/**
 * Marks tokens inside negation scopes (NegEx-style): a trigger ("no", "does not", "without") scopes
 * the words after it until punctuation, a contrast word ("but", "which") or maxScope words. A token
 * covered by an odd number of scopes is negated, so "no evidence that X is used without validation"
 * keeps "validation" un-negated.
 */
export function negationMask(tokens: Token[], lex: ScopeLexicon): boolean[] {
  const depth = new Array<number>(tokens.length).fill(0);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.punct) continue;
    let len = 0;
    let pseudo = false;
    for (let n = Math.min(lex.maxTriggerLen, tokens.length - i); n >= 1; n--) {
      const key = keyAt(tokens, i, n);
      if (key && lex.pseudo.has(key)) {
        pseudo = true;
        i += n - 1;
        break;
      }
      if (key && lex.triggers.has(key)) {
        len = n;
        break;
      }
    }
    if (!len || pseudo) continue;
    let words = 0;
    for (let j = i + len; j < tokens.length && words < lex.maxScope; j++) {
      const t = tokens[j]!;
      if (t.punct || lex.terminators.has(t.stem)) break;
      depth[j]!++;
      words++;
    }
  }
  return depth.map((d) => d % 2 === 1);
}

/** The key of the n words starting at i, or null if punctuation interrupts them. */
export function keyAt(tokens: Token[], i: number, n: number): string | null {
  let key = '';
  for (let k = i; k < i + n; k++) {
    const t = tokens[k];
    if (!t || t.punct) return null;
    key = k === i ? t.stem : `${key} ${t.stem}`;
  }
  return key;
}
