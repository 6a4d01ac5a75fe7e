// Agglomerative clustering over a sparse similarity graph: centroid (or average) linkage, an agreement gate with relative closeness, cannot-links, kinds.

/** A compared pair: `score` the similarity of items i and j (cosine of unit vectors), `gate` a second similarity (of other unit vectors). */
export interface Edge {
  i: number;
  j: number;
  score: number;
  gate: number;
}

export interface ClusterOptions {
  /** Two clusters merge while their linkage is at least this. */
  threshold: number;
  /**
   * How much a cluster's spread counts. A cluster is held as the sum S of its members' unit vectors;
   * the linkage of A and B is cos(S_A, S_B) · (cohesion_A · cohesion_B)^cohesion, where cohesion =
   * |S| / size. 0 is centroid linkage (a group is judged by its common core), 1 is average linkage
   * (the mean similarity over all cross pairs).
   */
  cohesion: number;
  /** Two clusters merge only when the cosine of their summed gate vectors is at least this. */
  minGate: number;
  /**
   * Relative closeness on the gate (0: off). Two groups (two members or more each) merge only when
   * their mean cross gate similarity is at least this fraction of their mean inner gate similarity
   * (size-weighted): they must agree with each other about as much as their members agree among
   * themselves (CHAMELEON's relative closeness).
   */
  relativeGate: number;
}

export interface ClusterConstraints {
  /** Each item's similarity with itself (1 for a unit vector, 0 for an empty one: never merged). */
  self: number[];
  /** The same for the gate vectors. */
  gateSelf: number[];
  /** Cannot-link labels: two clusters sharing a label never merge. */
  labels: number[][];
  /** Clusters of different non-null kinds never merge. */
  kinds: Array<number | null>;
  /** How many members each item stands for (default 1): average linkage counts pairs of members. */
  sizes?: number[];
}

/** A cluster's neighbours: ids (possibly of clusters merged away since), cross score sums, cross gate sums. */
interface Neighbours {
  ids: Int32Array;
  scores: Float64Array;
  gates: Float64Array;
}

/**
 * Agglomerative clustering of items `0..n-1` given the similarities of some pairs (`edges`, from
 * blocking); pairs without an edge count as 0. Repeatedly merges the two linked clusters with the
 * highest linkage (see ClusterOptions) while it is at least the threshold, their gate agrees
 * (absolutely and, for two groups, relatively), their non-null kinds are equal, and no cannot-link
 * label is in both.
 *
 * Everything is computed from sums of pair similarities, as if each cluster were the sum of its
 * members' unit vectors: the cross sum W(A, B) and the self sum |S_A|² (the members' `self` plus
 * twice their inner pairs). A merge adds sums — W(A∪B, Y) = W(A, Y) + W(B, Y) — so it costs the two
 * clusters' neighbour counts, never their vectors; neighbours are not told, their lists name merged
 * clusters by old ids that resolve (union-find) to the cluster now holding them, and entries that
 * resolve alike add up. A chain A~B~C does not pull in C unless C also resembles A (single link's
 * chaining is what this avoids). Deterministic: ties go to the lower cluster numbers, which follow
 * the input order.
 */
export function graphClusters(n: number, edges: Edge[], options: ClusterOptions, constraints: ClusterConstraints): number[][] {
  const sizes: number[] = constraints.sizes ? [...constraints.sizes] : new Array<number>(n).fill(1);
  const self: number[] = [...constraints.self];
  const gateSelf: number[] = [...constraints.gateSelf];
  // Union-find over cluster ids (a merged cluster gets a new id; the two old ones point to it).
  const parent = new Int32Array(2 * n).map((_, i) => i);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) {
      const up = parent[x]!;
      parent[x] = r;
      x = up;
    }
    return r;
  };
  const alive: boolean[] = new Array<boolean>(n).fill(true);
  // Members as linked lists (head, next, tail): a merge concatenates in O(1).
  const head: number[] = Array.from({ length: n }, (_, i) => i);
  const tail: number[] = [...head];
  const next = new Int32Array(n).fill(-1);
  const labels: Array<Set<number> | null> = constraints.labels.map((l) => new Set(l));
  const kinds: Array<number | null> = [...constraints.kinds];

  // Initial neighbour lists from the edges (both directions), in one pass over counts.
  const degree = new Int32Array(n);
  for (const e of edges) {
    if (e.i === e.j) continue;
    degree[e.i]!++;
    degree[e.j]!++;
  }
  const neighbours: Array<Neighbours | null> = Array.from(degree, (d) => ({
    ids: new Int32Array(d),
    scores: new Float64Array(d),
    gates: new Float64Array(d),
  }));
  const filled = new Int32Array(n);
  const list = (x: number, y: number, e: Edge): void => {
    const l = neighbours[x]!;
    const k = filled[x]!++;
    l.ids[k] = y;
    l.scores[k] = e.score;
    l.gates[k] = e.gate;
  };
  for (const e of edges) {
    if (e.i === e.j) continue;
    list(e.i, e.j, e);
    list(e.j, e.i, e);
  }

  const compatible = (a: number, b: number): boolean => {
    if (kinds[a] !== null && kinds[b] !== null && kinds[a] !== kinds[b]) return false;
    const [s, l] = labels[a]!.size <= labels[b]!.size ? [labels[a]!, labels[b]!] : [labels[b]!, labels[a]!];
    for (const x of s) if (l.has(x)) return false;
    return true;
  };
  /** Mean similarity of a cluster's distinct member pairs (0 for one member). */
  const inner = (sum: number, size: number): number => (size > 1 ? (sum - size) / (size * (size - 1)) : 0);
  const heap = new MaxHeap();
  const consider = (a: number, b: number, w: number, g: number): void => {
    if (self[a]! <= 0 || self[b]! <= 0 || gateSelf[a]! <= 0 || gateSelf[b]! <= 0) return;
    const na = Math.sqrt(self[a]!);
    const nb = Math.sqrt(self[b]!);
    let link = w / (na * nb);
    if (options.cohesion !== 0) link *= Math.pow(((na / sizes[a]!) * nb) / sizes[b]!, options.cohesion);
    if (link < options.threshold) return;
    if (g / Math.sqrt(gateSelf[a]! * gateSelf[b]!) < options.minGate) return;
    if (options.relativeGate > 0 && sizes[a]! > 1 && sizes[b]! > 1) {
      const cross = g / (sizes[a]! * sizes[b]!);
      const within = (sizes[a]! * inner(gateSelf[a]!, sizes[a]!) + sizes[b]! * inner(gateSelf[b]!, sizes[b]!)) / (sizes[a]! + sizes[b]!);
      if (cross < options.relativeGate * within) return;
    }
    if (compatible(a, b)) heap.push(link, Math.min(a, b), Math.max(a, b));
  };
  for (let i = 0; i < n; i++) {
    const list = neighbours[i]!;
    for (let k = 0; k < list.ids.length; k++) if (i < list.ids[k]!) consider(i, list.ids[k]!, list.scores[k]!, list.gates[k]!);
  }

  // Dense accumulators for one merge: cross sums by neighbour id, and the ids touched.
  const accScore = new Float64Array(2 * n);
  const accGate = new Float64Array(2 * n);
  const seen = new Uint8Array(2 * n);
  const touched: number[] = [];
  while (heap.size > 0) {
    const a = heap.topA();
    const b = heap.topB();
    heap.pop();
    // Entries for clusters merged away since are stale; clusters never change in place.
    if (!alive[a] || !alive[b] || !compatible(a, b)) continue;
    const c = sizes.length;
    let between = 0;
    let betweenGate = 0;
    touched.length = 0;
    for (const x of [a, b]) {
      const list = neighbours[x]!;
      for (let k = 0; k < list.ids.length; k++) {
        const y = find(list.ids[k]!);
        if (y === a || y === b) {
          // Each pair of a and b is listed on both sides: count it once.
          if (x === a) {
            between += list.scores[k]!;
            betweenGate += list.gates[k]!;
          }
          continue;
        }
        if (!seen[y]) {
          seen[y] = 1;
          touched.push(y);
        }
        accScore[y]! += list.scores[k]!;
        accGate[y]! += list.gates[k]!;
      }
    }
    parent[a] = c;
    parent[b] = c;
    sizes.push(sizes[a]! + sizes[b]!);
    self.push(self[a]! + self[b]! + 2 * between);
    gateSelf.push(gateSelf[a]! + gateSelf[b]! + 2 * betweenGate);
    alive.push(true);
    alive[a] = false;
    alive[b] = false;
    head.push(head[a]!);
    tail.push(tail[b]!);
    next[tail[a]!] = head[b]!;
    // The merged-away clusters are dead: grow the larger label set in place.
    const [large, small] = labels[a]!.size >= labels[b]!.size ? [labels[a]!, labels[b]!] : [labels[b]!, labels[a]!];
    for (const x of small) large.add(x);
    labels.push(large);
    labels[a] = null;
    labels[b] = null;
    kinds.push(kinds[a] ?? kinds[b] ?? null);
    neighbours[a] = null;
    neighbours[b] = null;
    const list: Neighbours = {
      ids: new Int32Array(touched.length),
      scores: new Float64Array(touched.length),
      gates: new Float64Array(touched.length),
    };
    touched.forEach((y, k) => {
      list.ids[k] = y;
      list.scores[k] = accScore[y]!;
      list.gates[k] = accGate[y]!;
      accScore[y] = 0;
      accGate[y] = 0;
      seen[y] = 0;
    });
    neighbours.push(list);
    for (let k = 0; k < list.ids.length; k++) consider(list.ids[k]!, c, list.scores[k]!, list.gates[k]!);
  }
  const out: number[][] = [];
  for (let c = 0; c < sizes.length; c++) {
    if (!alive[c]) continue;
    const m: number[] = [];
    for (let x = head[c]!; x !== -1; x = next[x]!) m.push(x);
    out.push(m.sort((x, y) => x - y));
  }
  return out.sort((x, y) => x[0]! - y[0]!);
}

/**
 * Max-heap of (linkage, a, b) in parallel arrays: higher linkage first; on a tie the lower cluster
 * numbers first (deterministic).
 */
class MaxHeap {
  private link: number[] = [];
  private a: number[] = [];
  private b: number[] = [];

  get size(): number {
    return this.link.length;
  }

  topA(): number {
    return this.a[0]!;
  }

  topB(): number {
    return this.b[0]!;
  }

  private before(i: number, j: number): boolean {
    const li = this.link[i]!;
    const lj = this.link[j]!;
    if (li !== lj) return li > lj;
    if (this.a[i] !== this.a[j]) return this.a[i]! < this.a[j]!;
    return this.b[i]! < this.b[j]!;
  }

  private swap(i: number, j: number): void {
    const l = this.link[i]!;
    this.link[i] = this.link[j]!;
    this.link[j] = l;
    const a = this.a[i]!;
    this.a[i] = this.a[j]!;
    this.a[j] = a;
    const b = this.b[i]!;
    this.b[i] = this.b[j]!;
    this.b[j] = b;
  }

  push(link: number, a: number, b: number): void {
    this.link.push(link);
    this.a.push(a);
    this.b.push(b);
    let i = this.link.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): void {
    const last = this.link.length - 1;
    this.swap(0, last);
    this.link.pop();
    this.a.pop();
    this.b.pop();
    const size = this.link.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && this.before(l, m)) m = l;
      if (r < size && this.before(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
