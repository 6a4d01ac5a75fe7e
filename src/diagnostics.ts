// Diagnostics: problems found in one input, printed as `file:line:column: severity: message` on stderr.
import type { Diagnostic } from './model.js';
import { InputError } from './ingest/read.js';

/** Control characters (terminal escapes, NULs) that untrusted text must never replay on a terminal. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Makes untrusted text safe to print: escapes become visible `\x1b`, newlines become `\n`. */
export function printable(text: string): string {
  return text
    .replace(/\r?\n/g, '\\n')
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line, d.line !== undefined ? d.column : undefined].filter((p) => p !== undefined).join(':');
  return printable(`${where}: ${d.severity}: ${d.message}`);
}

export function fromInputError(error: InputError, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  const d: Diagnostic = { file: error.file, severity, message: error.message };
  if (error.line !== undefined) d.line = error.line;
  if (error.column !== undefined) d.column = error.column;
  return d;
}

/** Orders diagnostics by file, then position, so output is deterministic. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** Short reasons for the end-of-run summary (singular, plural), matched on the messages ingest and analysis write. First match wins. */
const SKIP_REASONS: [RegExp, string, string][] = [
  [/^empty review/, 'empty', 'empty'],
  [/^binary file/, 'binary', 'binary'],
  [/^invalid UTF-8/, 'invalid UTF-8', 'invalid UTF-8'],
  [/bytes is over the limit/, 'too large', 'too large'],
  [/characters long, over the limit/, 'line too long', 'lines too long'],
  [/nested/, 'nested too deep', 'nested too deep'],
  [/delimiters .*too costly to parse/, 'too many delimiters', 'too many delimiters'],
  [/^cannot read/, 'unreadable', 'unreadable'],
  [/^analysis took longer than/, 'over the time limit', 'over the time limit'],
  [/^malformed front matter/, 'malformed front matter', 'malformed front matter'],
  [/^broken symbolic link/, 'broken symbolic link', 'broken symbolic links'],
  [/^record \d+: review id .* already used/, 'duplicate review id', 'duplicate review ids'],
  [/^record \d+:/, 'bad batch record', 'bad batch records'],
  [/^not valid JSON|^expected an array of review records/, 'unreadable batch', 'unreadable batches'],
  [/^no such file or directory|^no files match/, 'missing input', 'missing inputs'],
  [/^unsupported file type/, 'unsupported file type', 'unsupported file types'],
];

/** Why a review was skipped, in a word or two (`binary`, `invalid UTF-8`, …). */
export function skipReason(d: Diagnostic, count = 1): string {
  const reason = SKIP_REASONS.find(([pattern]) => pattern.test(d.message));
  return reason ? reason[count === 1 ? 1 : 2] : 'failed';
}

/** `skipped 3 of 10 reviews: 2 empty, 1 binary` — most frequent reason first; empty string when nothing was skipped. */
export function skipSummary(skips: readonly Diagnostic[], processed: number): string {
  if (skips.length === 0) return '';
  const counts = new Map<string, { n: number; example: Diagnostic }>();
  for (const d of skips) {
    const key = skipReason(d);
    counts.set(key, { n: (counts.get(key)?.n ?? 0) + 1, example: d });
  }
  const reasons = [...counts].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const total = processed + skips.length;
  return `skipped ${skips.length} of ${total} review${total === 1 ? '' : 's'}: ${reasons.map(([, { n, example }]) => `${n} ${skipReason(example, n)}`).join(', ')}`;
}
