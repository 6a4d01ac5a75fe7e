// Sparse vectors over interned integer term ids: built once per finding, compared and summed without string work.

/**
 * Interns terms as dense integer ids, in first-seen order. Terms live in namespaces (`s` stems,
 * `i` identifiers, `p` cited line buckets, …) so a stem and an identifier spelled alike stay apart,
 * without building a prefixed string for every lookup.
 */
export class Vocabulary {
  private readonly spaces = new Map<string, Map<string, number>>();
  private readonly numberedSpaces = new Map<string, Map<string, Map<number, number>>>();
  private count = 0;

  id(space: string, term: string): number {
    return this.space(space)(term);
  }

  /** The interning function of one namespace (hoist it out of loops). */
  space(space: string): (term: string) => number {
    let ids = this.spaces.get(space);
    if (ids === undefined) this.spaces.set(space, (ids = new Map()));
    const table = ids;
    return (term: string): number => {
      let i = table.get(term);
      if (i === undefined) table.set(term, (i = this.count++));
      return i;
    };
  }

  /** The interning function of one namespace's numbered terms under a name (`p`, a path → its line buckets). */
  numbered(space: string, name: string): (n: number) => number {
    let names = this.numberedSpaces.get(space);
    if (names === undefined) this.numberedSpaces.set(space, (names = new Map()));
    let ids = names.get(name);
    if (ids === undefined) names.set(name, (ids = new Map()));
    const table = ids;
    return (n: number): number => {
      let i = table.get(n);
      if (i === undefined) table.set(n, (i = this.count++));
      return i;
    };
  }

  get size(): number {
    return this.count;
  }
}

/** A sparse vector: term ids strictly ascending, with their weights. */
export interface SparseVector {
  idx: Int32Array;
  val: Float64Array;
}

export const EMPTY: SparseVector = { idx: new Int32Array(0), val: new Float64Array(0) };

/** A vector from term id → weight (zero weights dropped). */
export function fromMap(m: Map<number, number>): SparseVector {
  const keys = Int32Array.from(m.keys()).sort();
  const val = new Float64Array(keys.length);
  let n = 0;
  for (let i = 0; i < keys.length; i++) {
    const x = m.get(keys[i]!)!;
    if (x === 0) continue;
    keys[n] = keys[i]!;
    val[n++] = x;
  }
  return n === keys.length ? { idx: keys, val } : { idx: keys.slice(0, n), val: val.slice(0, n) };
}

/** A vector counting term ids (a term listed twice has weight 2). */
export function fromCounts(terms: ArrayLike<number>): SparseVector {
  const sorted = Int32Array.from(terms).sort();
  const idx = new Int32Array(sorted.length);
  const val = new Float64Array(sorted.length);
  let n = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (n >= 0 && idx[n] === sorted[i]) val[n]!++;
    else {
      idx[++n] = sorted[i]!;
      val[n] = 1;
    }
  }
  return { idx: idx.subarray(0, n + 1), val: val.subarray(0, n + 1) };
}

export function dot(a: SparseVector, b: SparseVector): number {
  const ai = a.idx;
  const bi = b.idx;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < ai.length && j < bi.length) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) d += a.val[i++]! * b.val[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return d;
}

export function norm(v: SparseVector): number {
  let s = 0;
  for (let i = 0; i < v.val.length; i++) s += v.val[i]! * v.val[i]!;
  return Math.sqrt(s);
}

/** Cosine of two vectors (0 when either is empty). */
export function cosine(a: SparseVector, b: SparseVector): number {
  const n = norm(a) * norm(b);
  return n > 0 ? dot(a, b) / n : 0;
}

/** `a + scale·b`, a new vector. */
export function add(a: SparseVector, b: SparseVector, scale = 1): SparseVector {
  const ai = a.idx;
  const bi = b.idx;
  const idx = new Int32Array(ai.length + bi.length);
  const val = new Float64Array(ai.length + bi.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < ai.length || j < bi.length) {
    if (j >= bi.length || (i < ai.length && ai[i]! < bi[j]!)) {
      idx[n] = ai[i]!;
      val[n++] = a.val[i++]!;
    } else if (i >= ai.length || bi[j]! < ai[i]!) {
      idx[n] = bi[j]!;
      val[n++] = scale * b.val[j++]!;
    } else {
      idx[n] = ai[i]!;
      val[n++] = a.val[i++]! + scale * b.val[j++]!;
    }
  }
  return { idx: idx.subarray(0, n), val: val.subarray(0, n) };
}

/** `v · factor`, a new vector. */
export function scaled(v: SparseVector, factor: number): SparseVector {
  const val = new Float64Array(v.val.length);
  for (let i = 0; i < val.length; i++) val[i] = v.val[i]! * factor;
  return { idx: v.idx, val };
}

/** `v / |v|` (the empty vector stays empty). */
export function normalized(v: SparseVector): SparseVector {
  const n = norm(v);
  return n > 0 ? scaled(v, 1 / n) : v;
}

/**
 * A dense copy of one vector, to take its dot product with many others at the cost of theirs
 * alone (a merged cluster against each of its neighbours). `load`, any number of `dot`, `clear`.
 */
export class Scratch {
  private dense: Float64Array;
  private loaded: SparseVector = EMPTY;

  constructor(size: number) {
    this.dense = new Float64Array(Math.max(1, size));
  }

  load(v: SparseVector): void {
    this.clear();
    if (v.idx.length > 0 && v.idx[v.idx.length - 1]! >= this.dense.length) {
      this.dense = new Float64Array(Math.max(2 * this.dense.length, v.idx[v.idx.length - 1]! + 1));
    }
    for (let i = 0; i < v.idx.length; i++) this.dense[v.idx[i]!] = v.val[i]!;
    this.loaded = v;
  }

  dot(v: SparseVector): number {
    const dense = this.dense;
    let d = 0;
    for (let i = 0; i < v.idx.length; i++) {
      const k = v.idx[i]!;
      if (k < dense.length) d += dense[k]! * v.val[i]!;
    }
    return d;
  }

  clear(): void {
    for (let i = 0; i < this.loaded.idx.length; i++) this.dense[this.loaded.idx[i]!] = 0;
    this.loaded = EMPTY;
  }
}
