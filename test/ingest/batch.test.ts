import { describe, expect, it } from 'vitest';
import { parseBatch } from '../../src/ingest/batch.js';

describe('parseBatch', () => {
  it('reads JSONL records with their metadata under any documented field name', () => {
    const text = [
      JSON.stringify({ id: 'r1', response: '1. **SQL injection** in `find_user`', file: 'app/db.py', model: 'gpt-x' }),
      JSON.stringify({ content: 'No issues found.', subject: 'app/ok.py', reviewer: 'alice', date: '2026-01-02' }),
    ].join('\n');
    const { records, problems } = parseBatch('b.jsonl', text, 'jsonl');
    expect(problems).toEqual([]);
    expect(records.map((r) => [r.key, r.subject, r.reviewer, r.date])).toEqual([
      ['r1', 'app/db.py', 'gpt-x', null],
      ['2', 'app/ok.py', 'alice', '2026-01-02'],
    ]);
  });

  it('reports a mistyped field and a truncated last line, and keeps the good records', () => {
    const text = ['{"text": 42}', '{"text": "fine"}', '{"text": "cut sho'].join('\n');
    const { records, problems } = parseBatch('b.jsonl', text, 'jsonl');
    expect(records.map((r) => r.text)).toEqual(['fine']);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [1, 'record 1: "text" must be a string, got number'],
      [3, 'record 3: last line is not complete JSON (truncated?)'],
    ]);
  });

  it('accepts a JSON array or {"reviews": [...]}', () => {
    expect(parseBatch('a.json', '[{"text":"a"},{"text":"b"}]', 'json').records).toHaveLength(2);
    expect(parseBatch('a.json', '{"reviews":[{"review":"a"}]}', 'json').records[0]!.text).toBe('a');
    expect(() => parseBatch('a.json', '{"nothing": 1}', 'json')).toThrow(/expected an array of review records/);
  });
});
