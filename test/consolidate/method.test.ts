import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { graphClusters, type Edge } from '../../src/consolidate/cluster.js';
import { bodyOf, buildCorpus, extractFeatures } from '../../src/consolidate/features.js';
import { consolidate } from '../../src/consolidate/index.js';
import { internSignals, weigh } from '../../src/consolidate/similarity.js';
import { contentStems, identifierKeys } from '../../src/consolidate/text.js';
import { add, cosine, dot, fromMap, Scratch, VectorBuilder, Vocabulary } from '../../src/consolidate/vector.js';
import { groupsOf, readRepoFile, reviewFrom } from './helpers.js';

describe('root cause: one function, two concerns', () => {
  // Six contest reports about Bank.withdrawLend: three say the interest is stuck (the withdrawn
  // amount is capped at the principal), three say the vault's withdraw fee is not accounted for.
  // All cite the same lines and names and walk through the same code; only the concern differs.
  const dir = 'test/fixtures/consolidate/root-cause';
  for (const classify of [true, false]) {
    it(`keeps the two families apart and each one whole (${classify ? 'classified' : 'unclassified'})`, () => {
      const reviews = readdirSync(dir)
        .sort()
        .map((f) => {
          const r = reviewFrom(readRepoFile(`${dir}/${f}`), f, '', { classify });
          r.subject = r.findings[0]!.evidence.locations[0]!.path;
          return r;
        });
      const groups = groupsOf(consolidate(reviews, { scope: 'all' }).subjects).map((g) => g.map((k) => k.replace(/\.md#1$/, '')).sort());
      expect(groups.sort()).toEqual([
        ['f1', 'f2', 'f3'],
        ['i1', 'i2', 'i3'],
      ]);
    });
  }
});

describe('text', () => {
  it('reads the phrasings of one weakness as one term', () => {
    const term = (text: string): string[] => contentStems(text);
    const fot = term('fee-on-transfer')[0]!;
    expect(term('Fee on transfer tokens')).toContain(fot);
    expect(term('tokens that charge a transfer fee')).toContain(fot);
    expect(term('deflationary tokens')).toContain(fot);
    expect(term('FoT tokens are not supported')).toContain(fot);
    const stale = term('stale price')[0]!;
    expect(term('may return outdated prices')).toContain(stale);
    expect(term('no check for round completeness')).toContain(stale);
    // Words around a phrase stay words; an unrelated sentence does not get the term.
    expect(term('The transfer of the fee to the treasury')).not.toContain(fot);
  });

  it('reads Contract#function as the dotted path, so the bare function name is shared', () => {
    expect(identifierKeys('BlueBerryBank#withdrawLend')).toEqual(['blueberrybank.withdrawlend', 'withdrawlend']);
    expect(identifierKeys('registry.latestRoundData(token)')).toEqual(['registry.latestrounddata', 'latestrounddata']);
  });

  it('leaves pasted code out of the prose but keeps the names it uses', () => {
    const review = reviewFrom(
      [
        'zed',
        '',
        'high',
        '',
        '# Rounding in computeShares lets the first depositor steal deposits',
        '',
        '## Summary',
        'The share price can be inflated by a donation.',
        '',
        '## Vulnerability Detail',
        '```solidity',
        'function computeShares(uint256 assets) public view returns (uint256) {',
        '    uint256 supply = totalSupply;',
        '    return supply == 0 ? assets : assets * supply / vaultBalance();',
        '}',
        '```',
        'After the donation, later deposits round down to zero shares.',
        '',
        '## Recommendation',
        'Mint dead shares on the first deposit.',
      ].join('\n'),
      'z.md',
      'contracts/Vault.sol',
      { classify: false },
    );
    const finding = review.findings[0]!;
    const body = bodyOf(finding);
    expect(body.prose).toContain('later deposits round down');
    expect(body.prose).not.toMatch(/totalSupply|vaultBalance|uint256/);
    // The recommendation section is the fix, not the issue.
    expect(body.prose).not.toContain('dead shares');
    expect(body.code).toContain('vaultBalance()');
    const vocabulary = new Vocabulary();
    const features = extractFeatures(review, finding, vocabulary);
    expect(features.identifiers).toContain(vocabulary.id('i', 'vaultbalance'));
  });

  it('reads a line opening with ``` and closing it again as inline code, not as a fence', () => {
    const review = reviewFrom(
      ['zed', '', 'high', '', '# Reentrancy in withdraw', '', '```withdraw()``` sends the ether before it updates the balance.', '', 'An attacker re-enters and drains the vault.'].join('\n'),
      'y.md',
      'contracts/Vault.sol',
      { classify: false },
    );
    const body = bodyOf(review.findings[0]!);
    expect(body.prose).toContain('sends the ether before it updates the balance');
    expect(body.prose).toContain('drains the vault');
  });
});

describe('vectors', () => {
  it('add, dot and compare sparse vectors whatever the order of their terms', () => {
    const a = fromMap(new Map([[9, 1], [2, 1], [5, 2]]));
    expect([...a.idx]).toEqual([2, 5, 9]);
    expect([...a.val]).toEqual([1, 2, 1]);
    const b = fromMap(new Map([[9, 3], [1, 4], [5, 0]]));
    expect([...b.idx]).toEqual([1, 9]);
    expect(dot(a, b)).toBe(3);
    const sum = add(a, b, 2);
    expect([...sum.idx]).toEqual([1, 2, 5, 9]);
    expect([...sum.val]).toEqual([8, 1, 2, 7]);
    expect(cosine(a, a)).toBeCloseTo(1);
    const scratch = new Scratch(4);
    scratch.load(sum);
    expect(scratch.dot(a)).toBe(dot(sum, a));
    scratch.load(b);
    expect(scratch.dot(a)).toBe(3);
  });

  it('build unit TF-IDF vectors and weighted blocks without losing terms', () => {
    const idf = new Float64Array([1, 2, 1, 1]);
    const builder = new VectorBuilder(2);
    // Term 3 twice: sublinear tf 1 + ln 2; term 1 once with idf 2.
    const v = builder.tfidf([3, 1, 3], idf);
    expect([...v.idx]).toEqual([1, 3]);
    expect(v.val[0]! / v.val[1]!).toBeCloseTo(2 / (1 + Math.log(2)));
    expect(dot(v, v)).toBeCloseTo(1);
    // Two blocks of weights 0.8 and 0.2 over disjoint terms: the cosine with each block is √weight.
    builder.add(0, 3);
    builder.add(2, 4);
    builder.block(0.8);
    builder.add(7, 5);
    builder.block(0.2);
    const w = builder.take();
    expect([...w.idx]).toEqual([0, 2, 7]);
    expect(dot(w, w)).toBeCloseTo(1);
    expect(w.val[2]!).toBeCloseTo(Math.sqrt(0.2));
    expect(builder.take().idx.length).toBe(0);
  });

  it('interns terms per namespace, so a stem and an identifier spelled alike stay apart', () => {
    const v = new Vocabulary();
    expect(v.id('s', 'fee')).toBe(v.id('s', 'fee'));
    expect(v.id('i', 'fee')).not.toBe(v.id('s', 'fee'));
    expect(v.numbered('p', 'a.sol')(3)).not.toBe(v.numbered('p', 'b.sol')(3));
    expect(v.size).toBe(4);
  });
});

describe('graph clustering', () => {
  const options = { threshold: 0.4, cohesion: 0, minGate: 0.15, relativeGate: 0.5 };
  const ones = (n: number): number[] => new Array<number>(n).fill(1);
  const run = (n: number, edges: Edge[], labels: number[][] = ones(n).map((_, i) => [i]), opts = options): number[][] =>
    graphClusters(n, edges, opts, { self: ones(n), gateSelf: ones(n), labels, kinds: ones(n).map(() => null) });

  it('does not chain: C joins A~B only if it resembles the pair, not just B', () => {
    const edges: Edge[] = [
      { i: 0, j: 1, score: 0.9, gate: 0.9 },
      { i: 1, j: 2, score: 0.5, gate: 0.5 },
    ];
    // C's centroid cosine with {A, B} is 0.5 / sqrt(2 + 1.8) ≈ 0.26.
    expect(run(3, edges)).toEqual([[0, 1], [2]]);
  });

  it('never merges clusters that share a cannot-link label, and merges the next best instead', () => {
    const edges: Edge[] = [
      { i: 0, j: 1, score: 0.9, gate: 0.9 },
      { i: 0, j: 2, score: 0.8, gate: 0.8 },
    ];
    expect(run(3, edges, [[7], [7], [8]])).toEqual([[0, 2], [1]]);
  });

  it('merges two groups only when their concerns agree across as much as within', () => {
    // Two tight pairs (inner gate 0.9) whose members all point to the same place (score 0.7),
    // but agree on the concern only at 0.3 across: less than half of 0.9.
    const pair = (i: number, j: number, s: number, g: number): Edge => ({ i, j, score: s, gate: g });
    const edges = [pair(0, 1, 0.9, 0.9), pair(2, 3, 0.9, 0.9), pair(0, 2, 0.7, 0.3), pair(0, 3, 0.7, 0.3), pair(1, 2, 0.7, 0.3), pair(1, 3, 0.7, 0.3)];
    expect(run(4, edges)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(run(4, edges, undefined, { ...options, relativeGate: 0 })).toEqual([[0, 1, 2, 3]]);
  });
});

describe('corpus weights', () => {
  it('give every finding a unit vector, and findings sharing rare words a higher cosine', () => {
    const texts = [
      '1. **Shell injection in run_command**: `run_command` passes `host` to `subprocess.call` with shell=True.',
      '1. **Command injection via host**: `run_command` builds a shell command from `host` and runs it with shell=True.',
      '1. **Weak hashing**: `make_token` uses MD5 for session tokens.',
    ];
    const vocabulary = new Vocabulary();
    const features = texts.map((t, i) => {
      const r = reviewFrom(t, `r${i}.md`, 'app.py', { classify: false });
      return extractFeatures(r, r.findings[0]!, vocabulary);
    });
    const corpus = buildCorpus(features, vocabulary);
    internSignals(features, corpus);
    weigh(features, corpus);
    for (const f of features) expect(dot(f.vector, f.vector)).toBeCloseTo(1);
    expect(dot(features[0]!.vector, features[1]!.vector)).toBeGreaterThan(dot(features[0]!.vector, features[2]!.vector));
  });
});
