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
  const keys = new Int32Array([...m.keys()]).sort();
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

/** `scaleA·a + scale·b`, a new vector. */
export function add(a: SparseVector, b: SparseVector, scale = 1, scaleA = 1): SparseVector {
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
      val[n++] = scaleA * a.val[i++]!;
    } else if (i >= ai.length || bi[j]! < ai[i]!) {
      idx[n] = bi[j]!;
      val[n++] = scale * b.val[j++]!;
    } else {
      idx[n] = ai[i]!;
      val[n++] = scaleA * a.val[i++]! + scale * b.val[j++]!;
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

/** `v / |v|`, a new vector (the empty vector stays empty). */
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

/**
 * Builds finding vectors without intermediate allocations: entries accumulate in a dense array,
 * blocks of entries are scaled in place, and only the finished vector gets (exact-size) arrays.
 * One builder serves a whole run; it grows with the vocabulary.
 */
export class VectorBuilder {
  private dense: Float64Array;
  private mark: Uint8Array;
  private touched: number[] = [];
  private blockStart = 0;
  private buffer = new Int32Array(256);

  constructor(size: number) {
    this.dense = new Float64Array(Math.max(1, size));
    this.mark = new Uint8Array(Math.max(1, size));
  }

  /** Adds `value` to term `term`. */
  add(term: number, value: number): void {
    if (term >= this.dense.length) {
      const size = Math.max(2 * this.dense.length, term + 1);
      const dense = new Float64Array(size);
      dense.set(this.dense);
      const mark = new Uint8Array(size);
      mark.set(this.mark);
      this.dense = dense;
      this.mark = mark;
    }
    if (this.mark[term] === 0) {
      this.mark[term] = 1;
      this.touched.push(term);
    }
    this.dense[term]! += value;
  }

  /** Adds `scale` times the unit TF-IDF vector (sublinear tf) of a list of term ids. */
  addTfidf(terms: ArrayLike<number>, idf: Float64Array, scale: number): void {
    const n = this.sortedCopy(terms);
    let sum = 0;
    this.runs(n, idf, (_, w) => (sum += w * w));
    if (sum === 0) return;
    const factor = scale / Math.sqrt(sum);
    this.runs(n, idf, (t, w) => this.add(t, w * factor));
  }

  /** Closes the block of entries added since the previous block: scales it to length √weight (0 if empty). */
  block(weight: number): void {
    let sum = 0;
    for (let k = this.blockStart; k < this.touched.length; k++) sum += this.dense[this.touched[k]!]! ** 2;
    const factor = sum > 0 && weight > 0 ? Math.sqrt(weight / sum) : 0;
    for (let k = this.blockStart; k < this.touched.length; k++) this.dense[this.touched[k]!]! *= factor;
    this.blockStart = this.touched.length;
  }

  /** The accumulated vector scaled to unit length (zero entries dropped); the builder is left empty. */
  take(): SparseVector {
    const touched = this.touched.sort((a, b) => a - b);
    let n = 0;
    let sum = 0;
    for (const t of touched) {
      const x = this.dense[t]!;
      if (x !== 0) {
        n++;
        sum += x * x;
      }
    }
    const idx = new Int32Array(n);
    const val = new Float64Array(n);
    const factor = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    let k = 0;
    for (const t of touched) {
      const x = this.dense[t]!;
      if (x !== 0) {
        idx[k] = t;
        val[k++] = x * factor;
      }
      this.dense[t] = 0;
      this.mark[t] = 0;
    }
    touched.length = 0;
    this.blockStart = 0;
    return { idx, val };
  }

  /** The unit TF-IDF vector (sublinear tf) of a list of term ids, on its own. */
  tfidf(terms: ArrayLike<number>, idf: Float64Array): SparseVector {
    const n = this.sortedCopy(terms);
    let unique = 0;
    let sum = 0;
    this.runs(n, idf, (_, w) => {
      unique++;
      sum += w * w;
    });
    const idx = new Int32Array(unique);
    const val = new Float64Array(unique);
    const factor = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    let k = 0;
    this.runs(n, idf, (t, w) => {
      idx[k] = t;
      val[k++] = w * factor;
    });
    return { idx, val };
  }

  /** Copies `terms` into the sort buffer, sorted; returns how many. */
  private sortedCopy(terms: ArrayLike<number>): number {
    if (terms.length > this.buffer.length) this.buffer = new Int32Array(2 * terms.length);
    for (let i = 0; i < terms.length; i++) this.buffer[i] = terms[i]!;
    this.buffer.subarray(0, terms.length).sort();
    return terms.length;
  }

  /** Calls `visit(term, (1 + ln count) · idf)` for each distinct term of the first `n` sorted buffer entries. */
  private runs(n: number, idf: Float64Array, visit: (term: number, weight: number) => void): void {
    const b = this.buffer;
    let i = 0;
    while (i < n) {
      const t = b[i]!;
      let j = i + 1;
      while (j < n && b[j] === t) j++;
      visit(t, (1 + Math.log(j - i)) * (idf[t] ?? 0));
      i = j;
    }
  }
}
