// unified plugin: parse YAML front matter into `file.data.frontMatter`; malformed YAML is a warning, never a throw.
import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import { parseDocument } from 'yaml';

export function frontMatter() {
  return (tree: Root, file: VFile): void => {
    file.data.frontMatter = null;
    const first = tree.children[0];
    if (!first || first.type !== 'yaml') {
      // A `---` opening with no closing fence is not parsed as front matter: say so.
      if (/^---[ \t]*\r?\n/.test(String(file.value)) && first?.type === 'thematicBreak') {
        const rest = String(file.value).slice(3);
        if (/^[ \t]*\r?\n[\w-]+[ \t]*:/.test(rest)) {
          file.message('front matter is not closed by a `---` line; read as text', { line: 1, column: 1 }).source = 'review-kb:front-matter';
        }
      }
      return;
    }
    const startLine = (first.position?.start.line ?? 1) + 1;
    const doc = parseDocument(first.value, { prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      const pos = err.linePos?.[0];
      const line = pos ? startLine + pos.line - 1 : startLine;
      const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      file.message(`malformed front matter (ignored): ${reason}`, { line, column: pos?.col ?? 1 }).source = 'review-kb:front-matter';
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
