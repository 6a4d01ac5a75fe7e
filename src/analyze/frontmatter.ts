// unified plugin: parse YAML front matter into `file.data.frontMatter`; malformed YAML is a warning, never a throw.
import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { parseDocument } from 'yaml';

const OPENING = /^---[ \t]*\r?\n/;
const CLOSING = /^(?:---|\.\.\.)[ \t]*$/m;

/**
 * A review that opens a front-matter fence and never closes it. remark-frontmatter then also stops
 * recognising lists below it, so the caller blanks the fence (keeping line numbers) and warns.
 */
export function unclosedFrontMatter(text: string): 'none' | 'rule' | 'front-matter' {
  const m = OPENING.exec(text);
  if (!m) return 'none';
  const rest = text.slice(m[0].length);
  if (CLOSING.test(rest)) return 'none';
  // A lone leading rule is harmless; a fence followed by `key: value` was meant as front matter.
  return /^[\w-]+[ \t]*:/.test(rest) ? 'front-matter' : 'rule';
}

export const UNCLOSED_MESSAGE = 'front matter is not closed by a `---` line; read as text';

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
      file.message(`malformed front matter (ignored): ${err.message.split('\n')[0]}`, { line, column }).source = 'review-kb:front-matter';
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      file.message(`malformed front matter (ignored): ${(e as Error).message}`, { line: startLine, column: 1 }).source = 'review-kb:front-matter';
      return;
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      file.message('front matter is not a mapping of keys to values (ignored)', { line: startLine, column: 1 }).source = 'review-kb:front-matter';
      return;
    }
    file.data.frontMatter = value as Record<string, unknown>;
  };
}
