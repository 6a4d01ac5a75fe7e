// Phrase matching against the real taxonomy: longest match at a position, stems, punctuation, positions.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTaxonomy, type Taxonomy } from '../../src/classify/index.js';
import { matchPhrases } from '../../src/classify/match.js';
import { tokenize } from '../../src/classify/text.js';

let tax: Taxonomy;
beforeAll(() => {
  tax = loadTaxonomy();
});

const matched = (text: string): string[] => matchPhrases(tokenize(text), tax.cues).map((m) => m.key);

describe('matching category cues', () => {
  it('takes the longest phrase at a position, and the words it covers start no shorter one', () => {
    // "buffer overflow" and "integer overflow" are cues, and so is "overflow" alone (keys are stems).
    expect(matched('A buffer overflow in parse_header')).toEqual(['buffer overflow']);
    expect(matched('An integer overflows when the length is added')).toEqual(['integ overflow']);
    expect(matched('The counter may overflow')).toEqual(['overflow']);
  });

  it('matches stems, so inflected forms find the cue', () => {
    expect(matched('Command injections are possible')).toEqual(['command inject']);
  });

  it('does not carry a phrase across punctuation', () => {
    // "buffer" is a cue on its own too.
    expect(matched('Check the buffer. Overflow is handled elsewhere')).toEqual(['buffer', 'overflow']);
    expect(matched('An integer, overflow')).toEqual(['integ', 'overflow']);
  });

  it('says where each phrase starts and how many words it covers, in token positions', () => {
    const tokens = tokenize('Possible command injection and integer overflow');
    const found = matchPhrases(tokens, tax.cues).map(({ key, start, length }) => ({ key, start, length }));
    expect(found).toEqual([
      { key: 'command inject', start: 1, length: 2 },
      { key: 'integ overflow', start: 4, length: 2 },
    ]);
  });
});
