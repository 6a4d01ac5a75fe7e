// Average-link agglomerative clustering over a sparse similarity graph, with cannot-link groups.

export interface Edge {
  i: number;
  j: number;
  score: number;
}

/**
 * Groups items `0..n-1`. Two clusters merge only while the *average* similarity over all their
 * cross pairs is at least `threshold` (pairs without an edge count as 0), so a chain A~B~C does not
 * pull in C unless C is also close to A: single-link's chaining is what this avoids. Items sharing
 * any `cannotLink` label (findings of one review, reports of one auditor) never end up together. Deterministic: ties break
 * on the lower cluster numbers, and cluster numbers follow the input order.
 */
export function averageLinkClusters(
  n: number,
  cannotLink: string[][],
  edges: Edge[],
  threshold: number,
): number[][] {
  const members: Array<number[] | null> = [];
  const labels: Array<Set<string> | null> = [];
  const adjacency: Array<Map<number, number> | null> = [];
  for (let i = 0; i < n; i++) {
    members.push([i]);
    labels.push(new Set(cannotLink[i]!));
    adjacency.push(new Map());
  }
  for (const e of edges) {
    if (e.i === e.j || e.score <= 0) continue;
    adjacency[e.i]!.set(e.j, (adjacency[e.i]!.get(e.j) ?? 0) + e.score);
    adjacency[e.j]!.set(e.i, (adjacency[e.j]!.get(e.i) ?? 0) + e.score);
  }
  const heap = new MaxHeap();
  const disjoint = (a: number, b: number): boolean => {
    const [s, l] = labels[a]!.size <= labels[b]!.size ? [labels[a]!, labels[b]!] : [labels[b]!, labels[a]!];
    for (const x of s) if (l.has(x)) return false;
    return true;
  };
  const offer = (a: number, b: number, sum: number): void => {
    const avg = sum / (members[a]!.length * members[b]!.length);
    if (avg >= threshold && disjoint(a, b)) heap.push({ avg, a: Math.min(a, b), b: Math.max(a, b) });
  };
  for (let i = 0; i < n; i++) for (const [j, s] of adjacency[i]!) if (i < j) offer(i, j, s);

  while (heap.size > 0) {
    const top = heap.pop()!;
    const { a, b } = top;
    if (!members[a] || !members[b]) continue;
    const current = adjacency[a]!.get(b);
    if (current === undefined) continue;
    // Stale entry: the pair's average changed since it was pushed (a newer entry is in the heap).
    if (current / (members[a]!.length * members[b]!.length) !== top.avg) continue;
    if (!disjoint(a, b)) continue;
    const c = members.length;
    members.push([...members[a]!, ...members[b]!].sort((x, y) => x - y));
    labels.push(new Set([...labels[a]!, ...labels[b]!]));
    const adj = new Map<number, number>();
    for (const [x, s] of adjacency[a]!) if (x !== b) adj.set(x, s);
    for (const [x, s] of adjacency[b]!) if (x !== a) adj.set(x, (adj.get(x) ?? 0) + s);
    adjacency.push(adj);
    for (const x of [a, b]) {
      for (const y of adjacency[x]!.keys()) adjacency[y]?.delete(x);
      members[x] = null;
      labels[x] = null;
      adjacency[x] = null;
    }
    for (const [x, s] of [...adj.entries()].sort((p, q) => p[0] - q[0])) {
      adjacency[x]!.set(c, s);
      offer(x, c, s);
    }
  }
  const out: number[][] = [];
  for (const m of members) if (m) out.push(m);
  return out.sort((x, y) => x[0]! - y[0]!);
}

interface Entry {
  avg: number;
  a: number;
  b: number;
}

/** Higher average first; on a tie the lower cluster numbers first (deterministic). */
function before(x: Entry, y: Entry): boolean {
  if (x.avg !== y.avg) return x.avg > y.avg;
  if (x.a !== y.a) return x.a < y.a;
  return x.b < y.b;
}

class MaxHeap {
  private items: Entry[] = [];
  get size(): number {
    return this.items.length;
  }
  push(e: Entry): void {
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Entry | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** Sparse vector: term → weight. */
export type Vector = Map<string, number>;

function dot(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let d = 0;
  for (const [k, x] of small) {
    const y = large.get(k);
    if (y !== undefined) d += x * y;
  }
  return d;
}

/** Sum of two vectors, built in the larger one (which is modified). */
function addInto(a: Vector, b: Vector): Vector {
  const [large, small] = a.size >= b.size ? [a, b] : [b, a];
  for (const [k, x] of small) large.set(k, (large.get(k) ?? 0) + x);
  return large;
}

function norm(v: Vector): number {
  let s = 0;
  for (const x of v.values()) s += x * x;
  return Math.sqrt(s);
}

/**
 * Centroid-linkage agglomerative clustering with cannot-link labels: repeatedly merges the two
 * clusters whose summed vectors are most similar (cosine), while that is at least `threshold` and
 * the gate, when given, accepts the two clusters' sums of its own per-item vectors. Items of
 * different non-null `kinds` never end up together. A cluster is compared through its centroid, so a group that many
 * reports describe in different words is judged by what they share, not by its least alike pair;
 * and a candidate must resemble that shared core, not just one member, so A~B~C does not chain C in.
 * Only pairs listed in `neighbors` (from blocking) are ever compared, and a merged cluster inherits
 * its members' neighbours: cost stays proportional to the candidate graph. Deterministic.
 */
export function centroidClusters(
  vectors: Vector[],
  cannotLink: string[][],
  neighbors: Array<[number, number]>,
  threshold: number,
  gate?: { vectors: Vector[]; accept: (a: Vector, b: Vector) => boolean },
  kinds?: Array<string | null>,
): number[][] {
  // A cluster's kind: the first non-null kind of its members; clusters of different kinds never merge.
  const kindOf: Array<string | null> = kinds ? [...kinds] : vectors.map(() => null);
  const n = vectors.length;
  const sums: Array<Vector | null> = vectors.map((v) => new Map(v));
  const gateSums: Array<Vector | null> = gate ? gate.vectors.map((v) => new Map(v)) : [];
  const norms: number[] = vectors.map(norm);
  const members: Array<number[] | null> = vectors.map((_, i) => [i]);
  const labels: Array<Set<string> | null> = cannotLink.map((l) => new Set(l));
  const adjacency: Array<Set<number> | null> = vectors.map(() => new Set<number>());
  for (const [i, j] of neighbors) {
    if (i === j) continue;
    adjacency[i]!.add(j);
    adjacency[j]!.add(i);
  }
  const disjoint = (a: number, b: number): boolean => {
    if (kindOf[a] && kindOf[b] && kindOf[a] !== kindOf[b]) return false;
    const [s, l] = labels[a]!.size <= labels[b]!.size ? [labels[a]!, labels[b]!] : [labels[b]!, labels[a]!];
    for (const x of s) if (l.has(x)) return false;
    return true;
  };
  const heap = new MaxHeap();
  const offer = (a: number, b: number): void => {
    if (!disjoint(a, b) || norms[a] === 0 || norms[b] === 0) return;
    const s = dot(sums[a]!, sums[b]!) / (norms[a]! * norms[b]!);
    if (s >= threshold && (!gate || gate.accept(gateSums[a]!, gateSums[b]!))) heap.push({ avg: s, a: Math.min(a, b), b: Math.max(a, b) });
  };
  for (let i = 0; i < n; i++) for (const j of [...adjacency[i]!].sort((x, y) => x - y)) if (i < j) offer(i, j);
  while (heap.size > 0) {
    const { a, b } = heap.pop()!;
    // Entries for clusters merged away since are stale; clusters never change in place.
    if (!members[a] || !members[b] || !disjoint(a, b)) continue;
    const c = members.length;
    // The merged-away clusters are dead: add the smaller sum into the larger one in place, so a
    // cluster growing one member at a time costs its members' sizes, not its size each time.
    const sum = addInto(sums[a]!, sums[b]!);
    sums.push(sum);
    norms.push(norm(sum));
    if (gate) gateSums.push(addInto(gateSums[a]!, gateSums[b]!));
    members.push([...members[a]!, ...members[b]!].sort((x, y) => x - y));
    labels.push(new Set([...labels[a]!, ...labels[b]!]));
    kindOf.push(kindOf[a] ?? kindOf[b] ?? null);
    const adj = new Set<number>();
    for (const x of [a, b]) for (const y of adjacency[x]!) if (y !== a && y !== b && members[y]) adj.add(y);
    adjacency.push(adj);
    for (const x of [a, b]) {
      for (const y of adjacency[x]!) adjacency[y]?.delete(x);
      members[x] = null;
      sums[x] = null;
      if (gate) gateSums[x] = null;
      labels[x] = null;
      adjacency[x] = null;
    }
    for (const y of [...adj].sort((p, q) => p - q)) {
      adjacency[y]!.add(c);
      offer(y, c);
    }
  }
  const out: number[][] = [];
  for (const m of members) if (m) out.push(m);
  return out.sort((x, y) => x[0]! - y[0]!);
}
