// Per-review analysis: parse one review with unified/remark and run the segment, evidence, group and verdict plugins.
import { unified } from 'unified';
import { VFile } from 'vfile';
import { VFileMessage } from 'vfile-message';
import { unclassified, type Diagnostic, type Evidence, type Finding, type ReviewAnalysis } from '../model.js';
import { evidence } from './evidence.js';
import { excerptOf } from './excerpt.js';
import { frontMatter, UNCLOSED_MESSAGE, unclosedFrontMatter } from './frontmatter.js';
import { group } from './group.js';
import { InputError } from '../ingest/read.js';
import { checkDepth, checkLines } from './limits.js';
import { parseMarkdown } from './parse.js';
import { segment } from './segment.js';
import { plainBlocks } from './text.js';
import type { Unit } from './types.js';
import { verdict } from './verdict.js';

export { parseLineRefs, parseFileUrl, classifyCode, bareIdentifier, evidenceOf } from './evidence.js';
export { verdictOf } from './verdict.js';
export { excerptOf, serializedExcerpt, sourceExcerpt } from './excerpt.js';

// Built once per module (per worker): parsing (parse.ts) is the cost floor, the plugins only walk what parsing produced.
const processor = unified()
  .use(frontMatter)
  .use(segment)
  .use(evidence)
  .use(group)
  .use(verdict)
  .freeze();

/** `source`: the text the parser saw, which the nodes' offsets index (the excerpt is sliced from it). */
function toFinding(u: Unit, e: Evidence, item: number, source: string): Finding {
  return {
    item,
    title: u.title,
    text: u.text,
    excerpt: excerptOf(u.nodes, source),
    line: u.line,
    recommendation: u.recommendation,
    statedSeverity: u.statedSeverity,
    evidence: e,
    ...unclassified(),
  };
}

/**
 * Analyse one review's text. Pure and synchronous; `file` is only the display path used in diagnostics.
 * Throws InputError for text too long-lined or too deeply nested to parse safely (see limits.ts).
 */
export function analyzeReview(text: string, file: string): { analysis: ReviewAnalysis; diagnostics: Diagnostic[] } {
  checkLines(text, file);
  const unclosed = unclosedFrontMatter(text);
  if (unclosed === 'front-matter') throw new InputError(file, UNCLOSED_MESSAGE, 1, 1);
  const vfile = new VFile({ path: file, value: unclosed === 'rule' ? '   ' + text.slice(3) : text });
  const diagnostics: Diagnostic[] = [];
  let analysis: ReviewAnalysis;
  try {
    const tree = parseMarkdown(vfile);
    checkDepth(tree, file);
    processor.runSync(tree, vfile);
    const seg = vfile.data.segmentation!;
    const ev = vfile.data.evidence ?? [];
    const v = vfile.data.verdict!;
    const source = String(vfile.value);
    analysis = {
      frontMatter: vfile.data.frontMatter ?? null,
      preamble: plainBlocks(seg.preamble),
      conclusion: plainBlocks(seg.conclusion),
      findings: seg.units.map((u, i) => toFinding(u, ev[i]!, i + 1, source)),
      verdict: v.verdict,
      contradiction: v.contradiction,
      author: seg.author,
    };
  } catch (e) {
    // Input the parser cannot take is refused (the caller skips the review); a stack overflow means nesting too deep.
    if (e instanceof InputError) throw e;
    // A plugin that failed the file (malformed front matter) refuses the review at the place it names.
    if (e instanceof VFileMessage && e.fatal) throw new InputError(file, e.reason, e.line ?? undefined, e.column ?? undefined);
    if (e instanceof RangeError) throw new InputError(file, `nested too deeply to parse (${e.message}) (skipped)`, 1, 1);
    // A bug here must not sink a 40,000-review run: report it and keep an empty analysis.
    vfile.message(`analysis failed: ${(e as Error).message}`, { line: 1, column: 1 }).fatal = true;
    analysis = { frontMatter: null, preamble: '', conclusion: '', findings: [], verdict: 'unclear', contradiction: false, author: null };
  }
  for (const m of vfile.messages) {
    const d: Diagnostic = { file, severity: m.fatal ? 'error' : 'warning', message: m.reason };
    if (m.line != null) d.line = m.line;
    if (m.column != null) d.column = m.column;
    diagnostics.push(d);
  }
  return { analysis, diagnostics };
}
