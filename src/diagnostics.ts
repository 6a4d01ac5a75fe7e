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
