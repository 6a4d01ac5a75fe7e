import { describe, expect, it } from 'vitest';
import { JSON_SLICE, jsonElement, jsonElementPieces, nestedArrayPieces } from '../../src/render/files.js';

describe('jsonElementPieces', () => {
  const item = (n: number) => ({ n, name: `item ${n}`, nested: { list: [n, { deep: 'x\ny' }], empty: [] as number[] } });

  it.each([0, 1, 2, 15, 16, 17, 700])('joins elements made one by one into JSON.stringify(items, null, 2) for %i items', (count) => {
    const items = Array.from({ length: count }, (_, n) => item(n));
    const pieces = [...jsonElementPieces(items.map((i) => jsonElement(i, 2)))];
    expect(pieces.join('')).toBe(`${JSON.stringify(items, null, 2)}\n`);
    // No piece holds much more than a slice of items.
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(JSON_SLICE * JSON.stringify([item(999)], null, 2).length);
  });
});

describe('nestedArrayPieces', () => {
  it.each([0, 1, 17, 40])('writes %i items where JSON.stringify puts an array inside a document', (count) => {
    const items = Array.from({ length: count }, (_, n) => ({ n, text: `line\nbreak ${n}`, tags: [n, [n]] }));
    const text = JSON.stringify({ runs: [{ name: 'x', results: items }] }, null, 2);
    const holder = JSON.stringify({ runs: [{ name: 'x', results: 0 }] }, null, 2);
    const at = holder.indexOf('0\n');
    const indent = holder.slice(holder.lastIndexOf('\n', at) + 1).match(/^ */)![0];
    expect(holder.slice(0, at) + [...nestedArrayPieces(items, 2, indent)].join('') + holder.slice(at + 1)).toBe(text);
  });
});
