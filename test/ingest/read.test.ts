import { describe, expect, it } from 'vitest';
import { decodeText, InputError } from '../../src/ingest/read.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('decodeText', () => {
  it('reads UTF-8 and drops a BOM', () => {
    expect(decodeText('a.md', new TextEncoder().encode('\ufeff# Title ✓'))).toBe('# Title ✓');
  });

  it('reads UTF-16 little-endian with a BOM', () => {
    const text = 'Line 12: `strcpy`';
    const body = Buffer.from(text, 'utf16le');
    expect(decodeText('a.md', Buffer.concat([Buffer.from([0xff, 0xfe]), body]))).toBe(text);
  });

  it('names the line and column of invalid UTF-8', () => {
    const data = Buffer.concat([Buffer.from('ok\nbad: '), bytes(0xc3, 0x28)]);
    let error: unknown;
    try {
      decodeText('r.md', data);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/invalid UTF-8 at byte 8/);
    expect((error as InputError).line).toBe(2);
    expect((error as InputError).column).toBe(6);
  });

  it('refuses binary files', () => {
    const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0);
    expect(() => decodeText('logo.md', png)).toThrow(/binary file/);
  });
});
