// unified plugin: parse YAML front matter into `file.data.frontMatter`; malformed front matter fails the file (the review is skipped).
import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { parseDocument } from 'yaml';

const OPENING = /^---[ \t]*\r?\n/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*$/m;

/**
 * A review that opens a front-matter fence and never closes it. A lone leading `---` is a rule: the
 * caller blanks it (remark-frontmatter would otherwise stop recognising lists below it). A fence
 * followed by `key: value` lines was meant as front matter, so the review is refused like any other
 * malformed front matter.
 */
export function unclosedFrontMatter(text: string): 'none' | 'rule' | 'front-matter' {
  const m = OPENING.exec(text);
  if (!m) return 'none';
  const rest = text.slice(m[0].length);
  if (CLOSING.test(rest)) return 'none';
  // A lone leading rule is harmless; a fence followed by `key: value` was meant as front matter.
  return /^[\w-]+[ \t]*:/.test(rest) ? 'front-matter' : 'rule';
}

/**
 * One `key: value` line per key, each value a single plain word or words that YAML's core schema reads
 * as the string it is (no number, boolean or null, no quote, comment, colon or indicator first), or a
 * `YYYY-MM-DD` date (a string in YAML 1.2). What review front matter almost always is (file, reviewer,
 * date); `yaml` took 4% of the whole analysis to read it. Anything else is left to `yaml`.
 */
const SIMPLE_LINE = /^([A-Za-z][\w-]*): +([A-Za-z_/][\w./@+()-]*(?: +[\w./@+()-]+)*|\d{4}-\d{2}-\d{2}) *$/;
const KEYWORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

/** The front matter as `yaml` would read it, when it is that simple (see SIMPLE_LINE); null otherwise. */
export function simpleFrontMatter(yaml: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const line of yaml.split('\n')) {
    const m = SIMPLE_LINE.exec(line);
    if (!m || KEYWORDS.has(m[1]!) || KEYWORDS.has(m[2]!) || Object.hasOwn(out, m[1]!)) return null;
    out[m[1]!] = m[2]!;
  }
  return out;
}

export const UNCLOSED_MESSAGE = 'malformed front matter: not closed by a `---` line (review skipped)';

/**
 * Metadata in front matter decides where a review's findings go (its subject) and who wrote it; front
 * matter that cannot be read would silently file the review under a guessed subject, so it is an
 * error and the review is skipped (`file.fail` throws the positioned message).
 */
export function frontMatter() {
  return (tree: Root, file: VFile): void => {
    file.data.frontMatter = null;
    const first = tree.children[0];
    if (!first || first.type !== 'yaml') return;
    const simple = simpleFrontMatter(first.value);
    if (simple) {
      file.data.frontMatter = simple;
      return;
    }
    const startLine = (first.position?.start.line ?? 1) + 1;
    const doc = parseDocument(first.value, { prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      // Point at the offending line of the review (the YAML starts on the line after the opening `---`).
      const offset = Math.min(err.pos[0], first.value.length);
      const before = first.value.slice(0, offset);
      const line = startLine + (before.match(/\n/g)?.length ?? 0);
      const column = offset - before.lastIndexOf('\n');
      file.fail(`malformed front matter: ${err.message.split('\n')[0]} (review skipped)`, { line, column }, 'review-kb:front-matter');
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      file.fail(`malformed front matter: ${(e as Error).message} (review skipped)`, { line: startLine, column: 1 }, 'review-kb:front-matter');
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      file.fail('malformed front matter: not a mapping of keys to values (review skipped)', { line: startLine, column: 1 }, 'review-kb:front-matter');
    }
    file.data.frontMatter = value as Record<string, unknown>;
  };
}
