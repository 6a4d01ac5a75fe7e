// Test helper: builds Finding objects from review text (numbered items, audit submissions) without the analyze stage.
import { unclassified, type Finding, type LineRange, type Severity } from '../../src/model.js';

function evidenceOf(text: string): Finding['evidence'] {
  const lines: LineRange[] = [];
  for (const m of text.matchAll(/\b[Ll]ines?\s+(\d+)(?:\s*[-–]\s*(\d+))?(?:\s*(?:,|and)\s*(?:lines?\s+)?(\d+)(?:\s*[-–]\s*(\d+))?)*/g)) {
    lines.push([Number(m[1]), Number(m[2] ?? m[1])]);
  }
  for (const m of text.matchAll(/#L(\d+)(?:-L(\d+))?/g)) lines.push([Number(m[1]), Number(m[2] ?? m[1])]);
  const identifiers = [...new Set([...text.matchAll(/`([A-Za-z_][\w.]*)(?:\(\))?`/g)].map((m) => m[1]!))];
  const files = [...new Set([...text.matchAll(/\b([\w/-]+\.(?:sol|c|h|py|js|ts|go|rs|java|php))\b/g)].map((m) => m[1]!))];
  return { lines, identifiers, files, locations: [] };
}

export function makeFinding(item: number, title: string, text: string, extra: Partial<Finding> = {}): Finding {
  return {
    item,
    title,
    text,
    excerpt: text,
    line: 1,
    recommendation: null,
    statedSeverity: null,
    evidence: evidenceOf(`${title} ${text}`),
    ...unclassified(),
    ...extra,
  };
}

/** Numbered items ("1. **Title**: text" or "1. Title:\ntext"), or one audit-style submission. */
export function splitReview(text: string): Finding[] {
  const audit = /^\s*(\S+)\s*\n+\s*(critical|high|medium|low|info)\s*\n+\s*#\s+(.+)\n([\s\S]*)$/i.exec(text);
  if (audit) {
    const body = audit[4]!;
    const rec = /##\s*Recommendation\s*\n([\s\S]*)$/i.exec(body);
    return [
      makeFinding(1, audit[3]!.trim(), body.replace(/```[\s\S]*?```/g, ' ').replace(/^#+\s*/gm, ''), {
        statedSeverity: audit[2]!.toLowerCase() as Severity,
        recommendation: rec ? rec[1]!.trim() : null,
      }),
    ];
  }
  const out: Finding[] = [];
  const items = text.split(/\n(?=\s*\d+\.\s)/).filter((b) => /^\s*\d+\.\s/.test(b));
  for (const block of items) {
    const m = /^\s*(\d+)\.\s+(?:\*\*(.+?)\*\*\s*:?|([^\n:]+):)\s*([\s\S]*)$/.exec(block);
    if (!m) continue;
    let body = m[4]!;
    // Stop at a closing paragraph ("In conclusion ...") after a blank line.
    body = body.split(/\n\s*\n(?=(?:In (?:conclusion|summary)|Overall|Conclusion))/)[0]!;
    out.push(makeFinding(Number(m[1]), (m[2] ?? m[3] ?? '').replace(/`/g, '').trim(), body.replace(/\*\*/g, '').replace(/`/g, '').trim()));
  }
  return out;
}
