// unified plugin: in sectioned answers, merge the units that discuss the same issue in different sections into one finding.
import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import type { Evidence } from '../model.js';
import { cues } from './cues.js';
import { mergeEvidence } from './evidence.js';
import type { Unit } from './types.js';

export function group() {
  return (_tree: Root, file: VFile): void => {
    const seg = file.data.segmentation;
    const ev = file.data.evidence;
    if (!seg || !ev || seg.units.length === 0) return;
    if (seg.style !== 'sections' && !seg.units.some((u) => u.sectionKind === 'recommendations')) return;
    const merged = groupUnits(seg.units, ev);
    seg.units = merged.units;
    file.data.evidence = merged.evidence;
    if (merged.leftover.length) {
      seg.conclusion.push(...merged.leftover);
      seg.conclusion.sort((a, b) => (a.position?.start.line ?? 0) - (b.position?.start.line ?? 0));
    }
  };
}

/** What names an issue: the first identifier its title cites, else its first identifier, else its normalised title. */
function keyOf(u: Unit, e: Evidence): string {
  const title = u.title;
  const inTitle = e.identifiers.find((id) => title.includes(id));
  if (inTitle) return 'id:' + inTitle;
  if (e.identifiers[0] && u.source !== 'list' && u.source !== 'heading' && u.source !== 'paragraph') return 'id:' + e.identifiers[0];
  return 'title:' + title.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

function words(title: string, ids: readonly string[]): Set<string> {
  let t = title.toLowerCase();
  for (const id of ids) t = t.replaceAll(id.toLowerCase(), ' ');
  return new Set(t.split(/[^a-z0-9]+/).filter((w) => w.length > 2 && !cues.titleStopWords.has(w)));
}

/**
 * Same key in two sections is the same issue when one side only lists components (context) or the
 * titles say the same thing; "SQL injection in `get_user()`" under High and "Missing logging in
 * `get_user()`" under Low stay apart.
 */
function sameIssue(a: Unit, b: Unit, eb: Evidence): boolean {
  if (a.sectionKind === 'context' || b.sectionKind === 'context') return true;
  const wa = words(a.title, eb.identifiers);
  const wb = words(b.title, eb.identifiers);
  if (wa.size === 0 || wb.size === 0) return true;
  let common = 0;
  for (const w of wa) if (wb.has(w)) common++;
  return common / Math.min(wa.size, wb.size) >= 0.5;
}

interface Group {
  units: Unit[];
  evidence: Evidence[];
  sections: Set<number>;
}

/** Units sharing a key across sections become one; within one section, distinct units stay distinct. */
export function groupUnits(units: Unit[], evidence: Evidence[]) {
  const groups: Group[] = [];
  const byKey = new Map<string, Group[]>();
  const leftover: Unit['nodes'] = [];
  units.forEach((u, i) => {
    const e = evidence[i]!;
    const key = keyOf(u, e);
    const candidates = byKey.get(key) ?? [];
    const g = candidates.find((c) => !c.sections.has(u.section) && sameIssue(c.units[0]!, u, e)) ?? (u.sectionKind === 'recommendations' ? candidates[0] : undefined);
    if (u.sectionKind === 'recommendations') {
      // Advice keyed to a finding becomes its recommendation; other advice closes the review.
      if (g) {
        const t = u.text.slice(u.titleLength).replace(/^[\s:：.\-–—]+/, '').trim();
        const target = g.units[0]!;
        target.recommendation = target.recommendation ? `${target.recommendation}\n${t}` : t;
      } else leftover.push(...u.nodes);
      return;
    }
    if (g) {
      g.units.push(u);
      g.evidence.push(e);
      g.sections.add(u.section);
      return;
    }
    const ng: Group = { units: [u], evidence: [e], sections: new Set([u.section]) };
    groups.push(ng);
    candidates.push(ng);
    byKey.set(key, candidates);
  });
  const outUnits: Unit[] = [];
  const outEvidence: Evidence[] = [];
  for (const g of groups) {
    const [first, ...rest] = g.units;
    if (!first) continue;
    if (rest.length) {
      // The analysis section names the issue better than a context listing of components does.
      const named = g.units.find((u) => u.sectionKind !== 'context');
      if (named) first.title = named.title;
      first.nodes = g.units.flatMap((u) => u.nodes);
      first.text = g.units.map((u) => u.text).join('\n\n');
      for (const u of rest) {
        first.recommendation ??= u.recommendation;
        first.statedSeverity ??= u.statedSeverity;
      }
    }
    outUnits.push(first);
    outEvidence.push(rest.length ? mergeEvidence(g.evidence) : g.evidence[0]!);
  }
  return { units: outUnits, evidence: outEvidence, leftover };
}
