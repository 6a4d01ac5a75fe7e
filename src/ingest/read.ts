// Reads one input file as text, refusing what is not text (binary, invalid UTF-8) with a clear reason.
import { readFile, stat } from 'node:fs/promises';

/**
 * Real reviews are 1–50 KB; analysis holds about 300× a review's size at its peak (a 9 MB review with
 * 17,000 findings took 2.6 GB), so the default keeps one outlier from exhausting memory.
 */
export const DEFAULT_MAX_REVIEW_BYTES = 2 * 1024 * 1024;

/**
 * A batch file holds many reviews, each checked against the per-review limit: the file itself may be
 * larger, up to this (or the per-review limit if that is higher). V8 cannot hold a string over ~512 MiB.
 */
export const MAX_BATCH_BYTES = 256 * 1024 * 1024;

export class InputError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/** Decodes bytes as UTF-8 (or UTF-16 when a BOM says so); throws InputError naming the problem. */
export function decodeText(file: string, bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  }
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  const nul = body.indexOf(0);
  if (nul !== -1 && looksBinary(body)) {
    throw new InputError(file, 'binary file, not text (skipped)');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const at = sequenceStart(body, firstInvalidUtf8(body));
    const { line, column } = positionOf(body, at);
    throw new InputError(file, `invalid UTF-8 at byte ${at} (skipped)`, line, column);
  }
}

/** Reads a review file within the size limit. */
export async function readText(file: string, maxBytes = DEFAULT_MAX_REVIEW_BYTES): Promise<string> {
  return decodeText(file, await readBytes(file, maxBytes));
}

/** A review file's bytes, within the size limit (checked before reading). */
export async function readBytes(file: string, maxBytes = DEFAULT_MAX_REVIEW_BYTES): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    throw new InputError(file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (info.size > maxBytes) throw tooLarge(file, info.size, maxBytes);
  try {
    return await readFile(file);
  } catch (error) {
    throw new InputError(file, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** The diagnostic for a review over the size limit. */
export function tooLarge(file: string, size: number, maxBytes: number): InputError {
  return new InputError(file, `${size} bytes is over the limit of ${maxBytes} bytes per review (skipped; raise it with --max-bytes)`);
}

/** Many NULs or control bytes in the first KiB: a binary file, not text with a stray NUL. */
function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 1024);
  let control = 0;
  for (const b of sample) if (b === 0 || (b < 9 && b !== 0)) control++;
  return control / Math.max(1, sample.length) > 0.01;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  // Binary search for the shortest invalid prefix; `stream` lets a prefix end inside a character.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

/** The byte that began the broken sequence: a lead byte cut short by the byte at `at`. */
function sequenceStart(bytes: Uint8Array, at: number): number {
  let start = at;
  while (start > 0 && at - start < 3 && (bytes[start - 1]! & 0xc0) === 0x80) start--;
  return start > 0 && bytes[start - 1]! >= 0xc0 ? start - 1 : at;
}

function positionOf(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
