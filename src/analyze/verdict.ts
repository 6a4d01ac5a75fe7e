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
  end: number;
}

function hits(re: RegExp, text: string, kind: Verdict, out: Hit[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ kind, index: m.index, end: m.index + m[0].length });
    if (m[0].length === 0) re.lastIndex++;
  }
}

const CLAUSE_BREAK = /.*(?:[.;!?]|\bbut\b|\bhowever\b|\byet\b)/is;

/** What a passage says about the code, or null: the last cue wins ("no defects at first, but … it is vulnerable"). */
export function verdictOf(text: string): Verdict | null {
  if (!text) return null;
  const found: Hit[] = [];
  hits(cues.noDefects, text, 'no-defects', found);
  const negated = found.slice();
  const defects: Hit[] = [];
  hits(cues.defects, text, 'defects', defects);
  for (const d of defects) {
    // Inside a no-defects phrase ("no security defects were found") it is that phrase's.
    if (negated.some((n) => n.index <= d.index && d.index < n.end)) continue;
    // Under a negation in the same clause ("did not find that any issues were …") it does not count.
    let window = text.slice(Math.max(0, d.index - 50), d.index);
    const cut = CLAUSE_BREAK.exec(window);
    if (cut) window = window.slice(cut[0].length);
    if (cues.negation.test(window)) continue;
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
