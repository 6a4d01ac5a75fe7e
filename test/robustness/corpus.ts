// Builds the broken-input corpus at test time (large and binary files are generated, never committed).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A review in the style the analyzer reads, with a subject in its front matter. */
export function goodReview(subject: string, title: string, line: number): string {
  return [
    '---',
    `file: ${subject}`,
    'reviewer: model-a',
    '---',
    `# Security review of ${subject}`,
    '',
    `1. **${title}**: the handler at line ${line} passes the request parameter to \`subprocess.run(cmd, shell=True)\`,`,
    '   so an attacker can run shell commands.',
    '   - **Recommendation**: pass an argument list and never use `shell=True`.',
    '',
  ].join('\n');
}

/** Deterministic bytes that look like a binary file (a PNG header, then pseudo-random bytes with NULs). */
export function binaryBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  let x = 0x2545f491;
  for (let i = 8; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = i % 7 === 0 ? 0 : x & 0xff;
  }
  return bytes;
}

export function utf16(text: string, endian: 'le' | 'be'): Buffer {
  const le = Buffer.from(text, 'utf16le');
  if (endian === 'le') return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
}

/** `depth` nested list items, each indented two more columns than its parent. */
export function nestedList(depth: number): string {
  let text = '---\nfile: src/deep.py\n---\n# Deeply nested review\n\n';
  for (let i = 0; i < depth; i++) text += `${'  '.repeat(i)}- **Issue ${i}**: command injection in \`run_${i}()\` at line ${i + 1}\n`;
  return text;
}

export interface BrokenCorpus {
  /** The input folder to build. */
  input: string;
  /** A second input folder whose one review has the same id as one in `input`. */
  second: string;
  manifest: string;
}

/**
 * Writes every broken case of issue 7 next to good reviews:
 * `input/` holds the reviews and batches, `second/` a review whose id collides with one in `input/`.
 */
export function writeBrokenCorpus(root: string): BrokenCorpus {
  const input = join(root, 'in');
  const second = join(root, 'second');
  mkdirSync(join(input, 'nested', 'deeper'), { recursive: true });
  mkdirSync(second, { recursive: true });
  const w = (rel: string, data: string | Buffer): void => writeFileSync(join(input, rel), data);

  // Good reviews: every one of them must be in kb.json at the end.
  w('good-a.md', goodReview('src/a.py', 'Command injection in run_job()', 12));
  w('nested/deeper/good-b.md', goodReview('src/b.py', 'Shell injection in export()', 30));
  w('same.md', goodReview('src/same.py', 'Command injection in same()', 3));
  writeFileSync(join(second, 'same.md'), goodReview('src/same2.py', 'Command injection in other_same()', 4));

  // Text that is not text.
  w('empty.md', '');
  w('blank.md', ' \n\n\t\n');
  w('binary.md', binaryBytes(4096));
  // Line 4 holds a Latin-1 "é" (0xE9) where UTF-8 expects a continuation byte.
  w('latin1.md', Buffer.concat([Buffer.from('---\nfile: src/l.py\n---\nCaf'), Buffer.from([0xe9]), Buffer.from(' review\n1. **XSS** in render() at line 3\n')]));
  // UTF-16 with a BOM must be read, not skipped.
  w('utf16le.md', utf16(goodReview('src/utf16le.py', 'Command injection in le_handler()', 7), 'le'));
  w('utf16be.md', utf16(goodReview('src/utf16be.py', 'Command injection in be_handler()', 8), 'be'));

  // Size: 50 MB of ordinary text (over the default 2 MiB limit), and one 1 MB line.
  w('huge.md', Buffer.alloc(50 * 1024 * 1024, 'A line of an enormous review about command injection.\n'));
  w('one-line.md', `---\nfile: src/long.py\n---\n${'word '.repeat(200_000)}\n`);
  w('one-line-stars.md', `# Review\n\n${'*a'.repeat(500_000)}\n`);

  // Nesting: 300 nested list levels; 200 levels of emphasis on one short line.
  w('deep-list.md', nestedList(300));
  w('deep-emphasis.md', `# Review\n\n${'*'.repeat(400)}x${'*'.repeat(400)}\n`);
  // Emphasis opened on 3,000 short lines of one paragraph, closed on 3,000 more: no long line, no deep prefix, quadratic to parse.
  w('dense-emphasis.md', `# Review\n\n${'*a \n'.repeat(3000)}x${'\n a*'.repeat(3000)}\n`);

  // Front matter: malformed YAML (the body is still read), and a fence that never closes.
  w('bad-front-matter.md', '---\nfile: [src/fm.py\nreviewer: model-b\n---\n# Review\n\n1. **Command injection in fm_run()**: line 9 uses `os.system(cmd)` with request data.\n');
  w('unclosed-front-matter.md', '---\nfile: src/open.py\n# Review\n\n1. **Command injection in open_run()**: line 5 uses `os.system(cmd)`.\n');

  // Batches: one good record each, then missing / mistyped fields, a non-object, a duplicate id, a mistyped subject, a truncated last line.
  w(
    'batch.jsonl',
    [
      JSON.stringify({ id: 'r1', subject: 'src/batch1.py', model: 'gpt', text: goodReview('src/batch1.py', 'Command injection in batch_one()', 5) }),
      JSON.stringify({ id: 'r2', subject: 'src/batch2.py', text: 42 }),
      JSON.stringify({ id: 'r3', subject: 'src/batch3.py' }),
      JSON.stringify(['not', 'an', 'object']),
      JSON.stringify({ id: 'r1', subject: 'src/batch1-again.py', text: goodReview('src/batch1-again.py', 'Command injection in batch_again()', 6) }),
      JSON.stringify({ id: 'r6', subject: ['src/batch6.py'], reviewer: 7, text: goodReview('src/batch6.py', 'Command injection in batch_six()', 9).replace(/^---[^]*?---\n/, '') }),
      '{"id": "r7", "subject": "src/batch7.py", "text": "1. **Command inj',
    ].join('\n'),
  );
  w(
    'batch.json',
    JSON.stringify({ reviews: [{ id: 'j1', file: 'src/json1.py', response: goodReview('src/json1.py', 'Command injection in json_one()', 2) }, { id: 'j2', file: 'src/json2.py', response: ['a', 'list'] }] }),
  );
  w('broken.json', '{"reviews": [ {"id": "x", "text": "1. **XSS**"} ');

  // A manifest naming a review that does not exist, and giving one review two subjects.
  const manifest = join(input, 'manifest.csv');
  writeFileSync(manifest, ['review,subject,reviewer', 'good-a.md,src/a.py,human', 'missing.md,src/missing.py,human', 'nested/deeper/good-b.md,src/b.py,human', 'nested/deeper/good-b.md,src/other-b.py,human', ''].join('\n'));

  // A folder loop through a symbolic link: nested/deeper/up → nested.
  symlinkSync('..', join(input, 'nested', 'deeper', 'up'), 'dir');
  return { input, second, manifest };
}

/** `count` small reviews of as many subjects; `variant` changes their wording so a second build rewrites every file. */
export function writeManyReviews(dir: string, count: number, variant: number): void {
  mkdirSync(dir, { recursive: true });
  const bugs = ['Command injection in run_{n}()', 'SQL injection in query_{n}()', 'Path traversal in open_{n}()', 'Hardcoded secret in login_{n}()'];
  for (let i = 0; i < count; i++) {
    const title = bugs[(i + variant) % bugs.length]!.replace('{n}', String(i));
    const text = [
      '---',
      `file: src/module_${i % 400}/file_${i}.py`,
      `reviewer: model-${variant}`,
      '---',
      `# Review ${i} (round ${variant})`,
      '',
      `1. **${title}**: at line ${(i % 90) + 1} the request value reaches \`handler_${i}()\` unchecked (round ${variant}).`,
      `2. **Missing rate limit on endpoint_${i}**: line ${(i % 50) + 3} accepts unbounded requests.`,
      '',
    ].join('\n');
    writeFileSync(join(dir, `review-${String(i).padStart(5, '0')}.md`), text);
  }
}
