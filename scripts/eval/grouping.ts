// Eval section for consolidation: B-cubed and pairwise scores against judged families; the seeds' duplicate pairs.
import { basename } from 'node:path';
import type { Subject } from '../../src/model.js';

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
}

function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** Predicted cluster of every gold item (items found in no cluster stand alone). */
function predictedClusters(kb: { subjects: Subject[] }, items: Set<string>, idOf: (reviewId: string) => string): Map<string, string> {
  const clusterOf = new Map<string, string>();
  for (const s of kb.subjects)
    for (const f of s.findings)
      for (const src of f.sources) {
        const item = idOf(src.review);
        if (items.has(item) && !clusterOf.has(item)) clusterOf.set(item, `${s.id}/${f.id}`);
      }
  for (const item of items) if (!clusterOf.has(item)) clusterOf.set(item, `alone/${item}`);
  return clusterOf;
}

/** B-cubed: per item, the share of its predicted cluster in its gold family (P) and of its family in its cluster (R), averaged. */
export function bcubed(predicted: Map<string, string>, gold: Map<string, string>): Scores {
  const predSize = new Map<string, number>();
  const goldSize = new Map<string, number>();
  const both = new Map<string, number>();
  for (const [item, g] of gold) {
    const p = predicted.get(item)!;
    predSize.set(p, (predSize.get(p) ?? 0) + 1);
    goldSize.set(g, (goldSize.get(g) ?? 0) + 1);
    both.set(`${p}\u0000${g}`, (both.get(`${p}\u0000${g}`) ?? 0) + 1);
  }
  let precision = 0;
  let recall = 0;
  for (const [item, g] of gold) {
    const p = predicted.get(item)!;
    const n = both.get(`${p}\u0000${g}`)!;
    precision += n / predSize.get(p)!;
    recall += n / goldSize.get(g)!;
  }
  precision /= gold.size;
  recall /= gold.size;
  return { precision, recall, f1: f1(precision, recall) };
}

/** Pairwise: over all pairs of items, same predicted cluster vs same gold family. */
export function pairwise(predicted: Map<string, string>, gold: Map<string, string>): Scores {
  const pairs = (sizes: Iterable<number>): number => {
    let n = 0;
    for (const s of sizes) n += (s * (s - 1)) / 2;
    return n;
  };
  const count = (labels: Iterable<string>): Map<string, number> => {
    const m = new Map<string, number>();
    for (const l of labels) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const goldItems = [...gold.keys()];
  const predictedPairs = pairs(count(goldItems.map((i) => predicted.get(i)!)).values());
  const goldPairs = pairs(count(gold.values()).values());
  const truePairs = pairs(count(goldItems.map((i) => `${predicted.get(i)}\u0000${gold.get(i)}`)).values());
  const precision = predictedPairs === 0 ? 0 : truePairs / predictedPairs;
  const recall = goldPairs === 0 ? 0 : truePairs / goldPairs;
  return { precision, recall, f1: f1(precision, recall) };
}

const fmt = (s: Scores): string => `P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}`;

/**
 * Scores the KB's grouping against judged families (`family id → item ids`); `idOf` maps a review id
 * of the KB to the item ids the families use.
 */
export function groupingReport(kb: { subjects: Subject[] }, goldFamilies: Record<string, string[]>, idOf: (reviewId: string) => string): string[] {
  const gold = new Map<string, string>();
  for (const [family, items] of Object.entries(goldFamilies)) for (const item of items) gold.set(item, family);
  const predicted = predictedClusters(kb, new Set(gold.keys()), idOf);
  const clusters = new Set(predicted.values()).size;
  const found = new Set<string>();
  for (const s of kb.subjects) for (const f of s.findings) for (const src of f.sources) found.add(idOf(src.review));
  const missing = [...gold.keys()].filter((i) => !found.has(i)).length;
  const b = bcubed(predicted, gold);
  const p = pairwise(predicted, gold);
  return [
    `B-cubed   ${fmt(b)}   (target F1 >= 0.85)`,
    `pairwise  ${fmt(p)}   (target F1 >= 0.70)`,
    `clusters ${clusters} for ${gold.size} items (gold families ${Object.keys(goldFamilies).length})${missing ? `; ${missing} items in no finding` : ''}`,
  ];
}

/** `002_e013982055bbec08.txt` → `002_e013982055bbec08` (gold names reviews without extension). */
const reviewStem = (id: string): string => basename(id).replace(/\.[^.]+$/, '');

/**
 * The seeds' labelled duplicates: is each duplicate group merged (and with what corroboration), and
 * which pairs did we merge that gold keeps apart (ambiguous pairs excluded)?
 */
export function seedDuplicatesReport(
  kb: { subjects: Subject[] },
  gold: { duplicates?: string[][]; ambiguous?: string[][] },
): string[] {
  const clusterOf = new Map<string, { id: string; corroboration: number; members: string[] }>();
  const clusters: Array<{ id: string; members: string[] }> = [];
  for (const s of kb.subjects)
    for (const f of s.findings) {
      const members = f.sources.map((src) => `${reviewStem(src.review)}#${src.item}`);
      const c = { id: f.id, corroboration: f.corroboration, members };
      clusters.push(c);
      for (const m of members) clusterOf.set(m, c);
    }
  const lines: string[] = [];
  const duplicates = gold.duplicates ?? [];
  const samePair = new Set<string>();
  const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);
  let merged = 0;
  for (const group of duplicates) {
    for (const a of group) for (const b of group) if (a !== b) samePair.add(pairKey(a, b));
    const ids = new Set(group.map((m) => clusterOf.get(m)?.id ?? `missing:${m}`));
    const c = clusterOf.get(group[0]!);
    const ok = ids.size === 1 && c !== undefined;
    if (ok) merged++;
    lines.push(`duplicate ${group.join(' + ')}: ${ok ? `merged (corroboration ${c!.corroboration}, id ${c!.id})` : 'NOT merged'}`);
  }
  const ambiguous = new Set((gold.ambiguous ?? []).map(([a, b]) => pairKey(a!, b!)));
  const wrong: string[] = [];
  for (const c of clusters) {
    const ms = [...c.members].sort();
    for (let i = 0; i < ms.length; i++)
      for (let j = i + 1; j < ms.length; j++) {
        const k = pairKey(ms[i]!, ms[j]!);
        if (!samePair.has(k) && !ambiguous.has(k)) wrong.push(`${ms[i]} + ${ms[j]}`);
      }
  }
  lines.push(`duplicate groups merged: ${merged}/${duplicates.length}`);
  lines.push(`wrongly merged pairs (ambiguous excluded): ${wrong.length}${wrong.length ? ` — ${wrong.join(', ')}` : ''}`);
  return lines;
}
