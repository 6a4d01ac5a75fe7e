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
