// unified plugin: the review's verdict (defects / no-defects / unclear) from what it concludes, and whether its framing disagrees.
import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import type { Verdict } from '../model.js';
import { cues } from './cues.js';
import { plainBlocks } from './text.js';
import type { VerdictResult } from './types.js';

export function verdict() {
  return (_tree: Root, file: VFile): void => {
    const seg = file.data.segmentation;
    if (!seg) return;
    file.data.verdict = decideVerdict(plainBlocks(seg.preamble), plainBlocks(seg.conclusion), seg.units.length, seg.style === 'audit');
  };
}

interface Hit {
  kind: Verdict;
  index: number;
}

function hits(re: RegExp, text: string, kind: Verdict, out: Hit[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ kind, index: m.index });
    if (m[0].length === 0) re.lastIndex++;
  }
}

/** What a passage says about the code, or null: the last cue wins ("while no defects were found, …, the code is vulnerable"). */
export function verdictOf(text: string): Verdict | null {
  if (!text) return null;
  const found: Hit[] = [];
  hits(cues.noDefects, text, 'no-defects', found);
  const noSpans = found.map((h) => h.index);
  const defects: Hit[] = [];
  hits(cues.defects, text, 'defects', defects);
  for (const d of defects) {
    // A defect cue under a negation in the same sentence ("did not find any issues were …") does not count.
    const from = Math.max(text.lastIndexOf('.', d.index - 1) + 1, d.index - 60);
    if (cues.negation.test(text.slice(from, d.index))) continue;
    if (noSpans.some((i) => i <= d.index && d.index - i < 80)) continue;
    found.push(d);
  }
  if (found.length === 0) return null;
  found.sort((a, b) => a.index - b.index);
  return found[found.length - 1]!.kind;
}

export function decideVerdict(preamble: string, conclusion: string, findings: number, audit: boolean): VerdictResult {
  if (audit) return { verdict: 'defects', contradiction: false, framing: 'defects', concluding: 'defects' };
  const framing = verdictOf(preamble);
  const concluding = verdictOf(conclusion);
  let v: Verdict;
  if (concluding) v = concluding;
  else if (framing) v = framing;
  else v = findings > 0 ? 'defects' : 'unclear';
  return { verdict: v, contradiction: framing !== null && concluding !== null && framing !== concluding, framing, concluding };
}
