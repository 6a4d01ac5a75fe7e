// unified plugin: split a review's tree into preamble, findings (units) and conclusion.
import type { Heading, List, ListItem, Paragraph, PhrasingContent, Root, RootContent, Table, TableRow } from 'mdast';
import type { LineRange } from '../model.js';
import type { VFile } from 'vfile';
import type { Severity } from '../model.js';
import { cues, normLabel, normSeverity, partLabel, type SectionKind } from './cues.js';
import { evidenceOf } from './evidence.js';
import { firstSentence, plain, plainBlocks, sentences } from './text.js';
import type { Segmentation, Unit, UnitSource } from './types.js';
import { verdictOf } from './verdict.js';

/** The plugin: leaves a Segmentation on `file.data.segmentation`. */
export function segment() {
  return (tree: Root, file: VFile): void => {
    file.data.segmentation = segmentTree(tree, file);
  };
}

// ---------------------------------------------------------------- titles

const NUMBERING = /^(?:#?\d+[.):]|\(\d+\)|[-*•])\s*/;
const ISSUE_PREFIX = /^(?:issue|finding|vulnerability|defect|bug|problem|concern)\s*(?:#?\d+\s*[:.\-–—)]|:)\s*/i;
const SEV_BRACKET = /^\[\s*([A-Za-z]+)\s*\]\s*/;
const SEV_PAREN = /\s*\(\s*(critical|high|medium|moderate|low|info(?:rmational)?)(?:\s+(?:severity|risk|impact))?\s*\)\s*:?$/i;
const LINE_PAREN = /\s*\((?=[^()]*\b(?:lines?|L\d+)\b)[^()]*\)$/i;
const TRAILING = /[\s:：\-–—]+$/;

export interface CleanTitle {
  title: string;
  severity: Severity | null;
}

/** A title as written ("**1. Use of X (Line 83-96):**") → "Use of X", plus a severity it states ("[High] …"). */
export function cleanTitle(raw: string): CleanTitle {
  let t = raw.replace(/\s+/g, ' ').trim();
  let severity: Severity | null = null;
  t = t.replace(NUMBERING, '').replace(ISSUE_PREFIX, '');
  const b = SEV_BRACKET.exec(t);
  if (b && normSeverity(b[1]!)) {
    severity = normSeverity(b[1]!);
    t = t.slice(b[0].length);
  }
  t = t.replace(TRAILING, '');
  const p = SEV_PAREN.exec(t);
  if (p) {
    severity ??= normSeverity(p[1]!);
    t = t.slice(0, p.index);
  }
  t = t.replace(LINE_PAREN, '').replace(TRAILING, '');
  t = t.replace(/^["'“*_]+|["'”*_]+$/g, '').trim();
  return { title: t, severity };
}

interface TitleInfo {
  /** Cleaned title, or null when the paragraph opens with a part label ("Risk:") or has no title. */
  title: string | null;
  severity: Severity | null;
  /** Length of the title's text at the start of the paragraph's plain text. */
  rawLength: number;
  /** The part label when the paragraph opens with one ("solution"). */
  label: string | null;
}

const NO_TITLE: TitleInfo = { title: null, severity: null, rawLength: 0, label: null };
const COLON_PREFIX = /^([^:.!?\n]{3,90}?):\s+\S/;

/** The title a paragraph opens with: bold lead (`**Title**: …`), or, in list items, a `Title:` first line or prefix. */
function titleOfParagraph(p: Paragraph, inItem: boolean): TitleInfo {
  const kids = p.children;
  let i = 0;
  while (i < kids.length && kids[i]!.type === 'text' && !(kids[i] as { value: string }).value.trim()) i++;
  const first = kids[i];
  if (first && first.type === 'strong') {
    const raw = plain(first);
    const label = partLabel(raw);
    if (label) return { ...NO_TITLE, label };
    const c = cleanTitle(raw);
    if (!c.title) return NO_TITLE;
    return { title: c.title, severity: c.severity, rawLength: raw.length, label: null };
  }
  if (!inItem) return NO_TITLE;
  const full = plain(p);
  const nl = full.indexOf('\n');
  const firstLine = nl >= 0 ? full.slice(0, nl) : full;
  if (/:\s*$/.test(firstLine) && firstLine.length <= 200) return fromRaw(firstLine);
  const m = COLON_PREFIX.exec(full);
  if (m && m[1]!.trim().split(/\s+/).length <= 10) return fromRaw(m[1]!);
  if (nl >= 0 && isTitleLine(firstLine, full.slice(nl + 1))) return fromRaw(firstLine);
  return NO_TITLE;
}

/** A line that can stand as a title: short, no sentence ends in it, and it does not end on a word a sentence goes on from. */
function titleLike(t: string): boolean {
  if (t.length < 3 || t.length > 120 || t.includes('\n') || /[.!?]\s|[.,;!?]$/.test(t)) return false;
  return !cues.continuationWords.has(t.slice(t.lastIndexOf(' ') + 1).toLowerCase());
}

const SENTENCE_START = /^[A-Z0-9`"'“(*_[]/;

/**
 * A first line set apart as a title, the text following on the next lines ("ring_alloc() - unchecked
 * kmalloc (line 60)" / "The result of …"), rather than the first line of a wrapped sentence: no
 * sentence ends in it, it does not end on a word the sentence goes on from, the next word would have
 * fitted on it (a wrapping writer would have put it there), and the next line starts a sentence or
 * the title ends with the lines it cites.
 */
function isTitleLine(first: string, rest: string): boolean {
  const t = first.trim();
  if (!titleLike(t)) return false;
  const lines = rest.split('\n').map((l) => l.trim());
  const next = lines[0] ?? '';
  if (!next) return false;
  let width = 0;
  for (const l of lines) width = Math.max(width, l.length);
  const nextWord = next.length - next.replace(/^\S+/, '').length;
  // 4: the list marker and indentation the first line shares its width with.
  if (t.length + 1 + nextWord + 4 > width) return false;
  return SENTENCE_START.test(next) || LINE_PAREN.test(t);
}

function fromRaw(raw: string): TitleInfo {
  const label = partLabel(raw);
  if (label) return { ...NO_TITLE, label };
  const c = cleanTitle(raw);
  return c.title ? { title: c.title, severity: c.severity, rawLength: raw.length, label: null } : NO_TITLE;
}

function titleOfItem(item: ListItem): TitleInfo {
  const p = item.children[0];
  if (!p || p.type !== 'paragraph') return NO_TITLE;
  const t = titleOfParagraph(p, true);
  if (t.title || t.label) return t;
  // A short first paragraph followed by more blocks reads as a title ("1. Hardcoded secret\n   - Risk: …").
  if (item.children.length > 1) {
    const s = plain(p);
    if (s.length <= 100 && !/[.!?]\s/.test(s) && !s.includes('\n')) return fromRaw(s);
  }
  return NO_TITLE;
}

/**
 * Numbered titles each followed by their text as separate blocks ("1. Path traversal (line 41)", blank
 * line, paragraph, "2. …"): markdown ends the list at every unindented paragraph, leaving one-item
 * ordered lists whose item is a lone title line. Two or more of them in a run of blocks, each followed
 * by a block of text, are titled findings.
 */
function detachedTitles(nodes: readonly RootContent[]): Set<List> {
  const found = new Set<List>();
  for (let i = 0; i + 1 < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.type !== 'list' || !n.ordered || n.children.length !== 1) continue;
    const item = n.children[0]!;
    const p = item.children[0];
    const next = nodes[i + 1]!;
    if (item.children.length !== 1 || p?.type !== 'paragraph' || next.type === 'list' || next.type === 'heading') continue;
    if (titleLike(plain(p).trim())) found.add(n);
  }
  return found.size >= 2 ? found : new Set();
}

/** A list whose items are findings: at least one item has a title that is not a part label. */
function isFindingList(list: List): boolean {
  for (const item of list.children) if (titleOfItem(item).title) return true;
  return false;
}

// ---------------------------------------------------------------- units

function lineOf(n: { position?: { start: { line: number } } | undefined }): number {
  return n.position?.start.line ?? 0;
}

const wrapItem = (list: List, item: ListItem, index: number): List => ({
  type: 'list',
  ordered: list.ordered ?? false,
  start: list.ordered ? (list.start ?? 1) + index : null,
  spread: false,
  children: [item],
  position: item.position,
});

function makeUnit(
  nodes: RootContent[],
  title: TitleInfo | null,
  source: UnitSource,
  section: number,
  sectionKind: Unit['sectionKind'],
  line: number,
): Unit {
  return {
    title: title?.title ?? '',
    nodes,
    line,
    text: '',
    recommendation: null,
    statedSeverity: title?.severity ?? null,
    section,
    sectionKind,
    source,
    titleLength: title?.rawLength ?? 0,
  };
}

/** Finish a unit once its nodes are known: text, title fallback, recommendation, stated severity. */
function finish(u: Unit): Unit {
  const text = plainBlocks(u.nodes);
  u.text = text;
  const body = text.slice(u.titleLength).replace(/^[\s:：.\-–—]+/, '');
  if (!u.title) {
    const c = cleanTitle(firstSentence(text));
    u.title = c.title;
    u.statedSeverity ??= c.severity;
  }
  u.recommendation ??= labelledRecommendation(u.nodes) ?? sentenceRecommendation(body);
  if (!u.statedSeverity) {
    const m = cues.severityInText.exec(text.length > 4000 ? text.slice(0, 4000) : text);
    if (m) u.statedSeverity = normSeverity(m.slice(1).find(Boolean) ?? '');
  }
  return u;
}

/** Text of `Solution:` / `Recommendation:` parts (bold or plain labels, or a Recommendation heading). */
function labelledRecommendation(nodes: readonly RootContent[]): string | null {
  const found: string[] = [];
  const visitPara = (p: Paragraph): void => {
    const t = titleOfParagraph(p, true);
    if (t.label && cues.recommendationLabels.has(t.label)) {
      const s = plain(p).replace(/^\s*[^:]*?:\s*/, '').trim();
      if (s) found.push(s);
    }
  };
  const visit = (n: RootContent, depth: number): void => {
    if (n.type === 'paragraph') visitPara(n);
    else if ((n.type === 'list' || n.type === 'listItem' || n.type === 'blockquote') && depth < 4) {
      for (const c of n.children) visit(c as RootContent, depth + 1);
    }
  };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.type === 'heading' && cues.recommendationLabels.has(normLabel(plain(n)))) {
      const body: RootContent[] = [];
      for (let j = i + 1; j < nodes.length; j++) {
        const m = nodes[j]!;
        if (m.type === 'heading' && m.depth <= n.depth) break;
        body.push(m);
      }
      const s = plainBlocks(body).trim();
      if (s) found.push(s);
    } else visit(n, 0);
  }
  return found.length ? found.join('\n') : null;
}

function sentenceRecommendation(body: string): string | null {
  const picked = sentences(body).filter((s) => cues.recommendationSentence.test(s));
  return picked.length ? picked.join(' ') : null;
}

// ---------------------------------------------------------------- tables

interface TableColumns {
  title: number;
  severity: number;
  lines: number;
  recommendation: number;
}

/** A table whose header names an issue column (`| Issue | Line | Severity |`): one finding per row. */
function findingTable(t: Table): TableColumns | null {
  const head = t.children[0];
  if (!head || t.children.length < 2) return null;
  const names = head.children.map((c) => normLabel(plain(c)));
  const find = (re: RegExp): number => names.findIndex((n) => re.test(n));
  let title = find(cues.tableColumns.title);
  if (title < 0) title = find(cues.tableColumns.description);
  if (title < 0) return null;
  return { title, severity: find(cues.tableColumns.severity), lines: find(cues.tableColumns.lines), recommendation: find(cues.tableColumns.recommendation) };
}

const CELL_RANGE = /(\d{1,7})(?:\s*[-–—]\s*L?(\d{1,7}))?/g;

function cellLines(text: string): LineRange[] {
  const out: LineRange[] = [];
  CELL_RANGE.lastIndex = 0;
  for (let m = CELL_RANGE.exec(text); m; m = CELL_RANGE.exec(text)) {
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    out.push(a <= b ? [a, b] : [b, a]);
  }
  return out;
}

function tableUnits(t: Table, cols: TableColumns, section: number, kind: Unit['sectionKind']): Unit[] {
  const head = t.children[0]!;
  return t.children.slice(1).map((row: TableRow) => {
    const cell = (i: number): string => (i >= 0 && row.children[i] ? plain(row.children[i]!).trim() : '');
    const c = cleanTitle(cell(cols.title));
    const node: Table = { type: 'table', align: t.align ?? null, children: [head, row], position: row.position };
    const u = makeUnit([node], { title: c.title, severity: normSeverity(cell(cols.severity)) ?? c.severity, rawLength: 0, label: null }, 'table', section, kind, lineOf(row));
    if (cols.lines >= 0) u.lines = cellLines(cell(cols.lines));
    if (cols.recommendation >= 0 && cell(cols.recommendation)) u.recommendation = cell(cols.recommendation);
    return u;
  });
}

// ---------------------------------------------------------------- audit style

/** One-report-one-finding audit submissions: handle line, severity line, `# Title`, `## Summary` … */
function auditStyle(blocks: RootContent[], file: VFile): Segmentation | null {
  const h1 = blocks.findIndex((n) => n.type === 'heading' && n.depth === 1);
  if (h1 < 0 || h1 > 4) return null;
  let known = 0;
  let core = 0;
  for (let i = h1 + 1; i < blocks.length; i++) {
    const n = blocks[i]!;
    if (n.type !== 'heading') continue;
    if (n.depth === 1) return null;
    const name = normLabel(plain(n));
    if (cues.auditSections.has(name)) known++;
    if (cues.auditCore.has(name)) core++;
  }
  // "Summary" + "Recommendations" alone is an ordinary review's layout; an audit report names its detail/impact/snippet.
  if (known < 2 || core < 1) return null;
  let author: string | null = null;
  let severity: Severity | null = null;
  for (const n of blocks.slice(0, h1)) {
    if (n.type !== 'paragraph') continue;
    for (const rawLine of plain(n).split('\n')) {
      const line = rawLine.trim();
      if (!line) continue;
      const sev = normSeverity(line.replace(/\s*(?:severity|risk)$/i, ''));
      if (sev && !severity) severity = sev;
      else if (!author && /^\S{1,60}$/.test(line)) author = line;
      else if (/^\S+$/.test(line) && author && !severity) {
        file.message(`unrecognised stated severity \`${line.slice(0, 40)}\``, n).source = 'review-kb:segment';
      }
    }
  }
  const heading = blocks[h1] as Heading;
  const nodes = blocks.slice(h1);
  const c = cleanTitle(plain(heading));
  const unit = makeUnit(nodes, { title: c.title, severity: severity ?? c.severity, rawLength: plain(heading).length, label: null }, 'audit', 0, 'body', lineOf(heading));
  finish(unit);
  // The Recommendation section is the recommendation, whatever cue sentences appear elsewhere.
  return { style: 'audit', preamble: [], conclusion: [], units: [unit], author };
}

// ---------------------------------------------------------------- sections

interface Section {
  heading: Heading | Paragraph | null;
  name: string;
  depth: number;
  /** Content before the first child section. */
  nodes: RootContent[];
  children: Section[];
}

/**
 * A paragraph that names a known section ("**Overview**", "Decision:"), acting as a heading. When the
 * section's text follows on the next line of the same paragraph, that text comes back as `rest`.
 */
function pseudoHeading(n: RootContent): { name: string; rest: Paragraph | null } | null {
  if (n.type !== 'paragraph') return null;
  const kids = n.children;
  const first = kids[0];
  let label: string;
  let restKids: PhrasingContent[] = [];
  if (first?.type === 'strong') {
    label = plain(first);
    let i = 1;
    // Skip `:` and spaces after the label; the section text must start on a new line.
    while (i < kids.length && kids[i]!.type === 'text' && /^[ \t:]*$/.test((kids[i] as { value: string }).value)) i++;
    const next = kids[i];
    if (next) {
      if (next.type === 'break') restKids = kids.slice(i + 1);
      else if (next.type === 'text' && /^[ \t:]*\n/.test(next.value)) {
        restKids = [{ ...next, value: next.value.replace(/^[ \t:]*\n/, '') }, ...kids.slice(i + 1)];
      } else return null;
    }
  } else if (first?.type === 'text') {
    const nl = first.value.indexOf('\n');
    const line = nl >= 0 ? first.value.slice(0, nl) : first.value;
    if (!line.trim().endsWith(':') || (nl < 0 && kids.length > 1)) return null;
    label = line;
    if (nl >= 0) restKids = [{ ...first, value: first.value.slice(nl + 1) }, ...kids.slice(1)];
  } else return null;
  const name = normLabel(label);
  if (!cues.sectionKinds.has(name)) return null;
  if (restKids.length === 0) return { name, rest: null };
  const startLine = (first.position?.end.line ?? 0) + 1;
  const rest: Paragraph = { type: 'paragraph', children: restKids };
  if (n.position) rest.position = { start: { line: startLine, column: 1 }, end: n.position.end };
  return { name, rest };
}

function buildSections(blocks: RootContent[]): Section {
  const root: Section = { heading: null, name: '', depth: 0, nodes: [], children: [] };
  const stack: Section[] = [root];
  for (const n of blocks) {
    let depth = 0;
    let name: string | null = null;
    let rest: Paragraph | null = null;
    if (n.type === 'heading') {
      depth = n.depth;
      name = normLabel(plain(n));
    } else {
      const p = pseudoHeading(n);
      if (p) {
        name = p.name;
        rest = p.rest;
        depth = 7;
      }
    }
    if (name === null) {
      stack[stack.length - 1]!.nodes.push(n);
      continue;
    }
    while (stack.length > 1 && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const sec: Section = { heading: n as Heading | Paragraph, name, depth, nodes: rest ? [rest] : [], children: [] };
    stack[stack.length - 1]!.children.push(sec);
    stack.push(sec);
  }
  return root;
}

function flatten(sec: Section, out: RootContent[] = []): RootContent[] {
  if (sec.heading) out.push(sec.heading);
  out.push(...sec.nodes);
  for (const c of sec.children) flatten(c, out);
  return out;
}

/** Whether a run of blocks holds titled findings (a finding list or a bold-led paragraph). */
function hasTitledUnits(nodes: readonly RootContent[]): boolean {
  if (detachedTitles(nodes).size) return true;
  for (const n of nodes) {
    if (n.type === 'table' && findingTable(n)) return true;
    if (n.type === 'list' && isFindingList(n)) return true;
    if (n.type === 'paragraph' && titleOfParagraph(n, false).title) return true;
  }
  return false;
}

function hasNonPartChildren(sec: Section): boolean {
  return sec.children.some((c) => !cues.findingParts.has(c.name) || hasNonPartChildren(c));
}

// ---------------------------------------------------------------- the walk

class Segmenter {
  units: Unit[] = [];
  preamble: RootContent[] = [];
  conclusion: RootContent[] = [];
  sectionCount = 0;
  /** Nodes not claimed by any unit, in finding-bearing sections: the paragraph-mode candidates. */
  free: { node: RootContent; section: number; kind: Unit['sectionKind'] }[] = [];
  titled = 0;
  /** Severity stated by a section heading, by section index. */
  sectionSeverity = new Map<number, Severity>();

  leftover(n: RootContent, section: number, kind: Unit['sectionKind']): void {
    if (kind === 'context') this.preamble.push(n);
    else this.free.push({ node: n, section, kind });
  }

  section(sec: Section, inherited: Unit['sectionKind'] | 'conclusion', inheritedSeverity: Severity | null = null): void {
    const index = this.sectionCount++;
    let kind: Unit['sectionKind'] | 'conclusion' = inherited;
    // "## High severity" / "### Critical issues": a heading that groups findings by the severity it states.
    const sevHead = sec.heading ? cues.severityHeading.exec(sec.name) : null;
    const severity = (sevHead && normSeverity(sevHead[1]!)) || inheritedSeverity;
    if (severity) this.sectionSeverity.set(index, severity);
    if (sec.heading) {
      const known: SectionKind | undefined = cues.sectionKinds.get(sec.name);
      if (known === 'conclusion' && sec.name === 'summary' && this.units.length === 0) {
        kind = 'context';
      } else if (sevHead) {
        kind = 'findings';
      } else if (known) {
        kind = known;
      } else if (!hasNonPartChildren(sec) && !hasTitledUnits(sec.nodes) && inherited !== 'conclusion') {
        // An unknown leaf heading with its content is one finding ("### 1. SQL injection in login()").
        const nodes = flatten(sec);
        const raw = plain(sec.heading);
        const c = cleanTitle(raw);
        if (c.title) {
          this.units.push(finish(makeUnit(nodes, { title: c.title, severity: c.severity, rawLength: raw.length, label: null }, 'heading', index, inherited === 'context' ? 'context' : inherited, lineOf(sec.heading))));
          this.titled++;
          return;
        }
      }
    }
    if (kind === 'conclusion') this.conclusion.push(...sec.nodes);
    else this.run(sec.nodes, index, kind);
    for (const c of sec.children) this.section(c, kind, severity);
  }

  /** Units from a run of blocks: finding-list items and bold-led paragraphs, with their continuations. */
  run(nodes: RootContent[], section: number, kind: Unit['sectionKind']): void {
    const st: { last: Unit | null; detached: number; fromList: boolean } = { last: null, detached: 0, fromList: false };
    const pending: RootContent[] = [];
    const flushTo = (u: Unit | null): void => {
      if (u) u.nodes.push(...pending);
      else for (const p of pending) this.leftover(p, section, kind);
      pending.length = 0;
    };
    const start = (u: Unit): void => {
      if (pending.length) {
        // Blocks between two units continue the earlier one (items whose text was not indented under them).
        if (st.last) st.detached++;
        flushTo(st.last);
      }
      if (st.last) finish(st.last);
      this.units.push(u);
      this.titled++;
      st.last = u;
    };
    let ended = false;
    const detached = kind === 'context' ? null : detachedTitles(nodes);
    for (const n of nodes) {
      if (ended) {
        this.conclusion.push(n);
        continue;
      }
      if (kind === 'context') {
        // Context sections hold findings only when a titled item there raises a concern.
        if (n.type === 'list' && isFindingList(n)) {
          n.children.forEach((item, i) => {
            const t = titleOfItem(item);
            if (t.title && cues.concern.test(plain(item))) {
              const u = makeUnit([wrapItem(n, item, i)], t, 'list', section, 'context', lineOf(item));
              this.units.push(finish(u));
              this.titled++;
            }
          });
        }
        this.preamble.push(n);
        continue;
      }
      if (n.type === 'list' && isFindingList(n)) {
        n.children.forEach((item, i) => {
          const t = titleOfItem(item);
          const sub = item.children[1];
          if (t.title && item.children.length === 2 && sub?.type === 'list' && plain(item.children[0]!).length <= t.rawLength + 2 && isFindingList(sub) && sub.children.every((s) => titleOfItem(s).title)) {
            // A category item grouping titled findings: the findings are the sub-items.
            sub.children.forEach((s, j) => start(makeUnit([wrapItem(sub, s, j)], titleOfItem(s), 'list', section, kind, lineOf(s))));
          } else {
            start(makeUnit([wrapItem(n, item, i)], t.title ? t : null, 'list', section, kind, lineOf(item)));
          }
        });
        st.fromList = true;
        continue;
      }
      if (n.type === 'list' && detached?.has(n)) {
        const item = n.children[0]!;
        start(makeUnit([wrapItem(n, item, 0)], fromRaw(plain(item).trim()), 'list', section, kind, lineOf(item)));
        st.fromList = true;
        continue;
      }
      if (n.type === 'table') {
        const cols = findingTable(n);
        if (cols) {
          for (const u of tableUnits(n, cols, section, kind)) start(u);
          st.fromList = true;
          continue;
        }
      }
      if (n.type === 'paragraph') {
        const t = titleOfParagraph(n, false);
        if (t.title) {
          start(makeUnit([n], t, 'paragraph', section, kind, lineOf(n)));
          st.fromList = false;
          continue;
        }
        if (st.last && cues.conclusionLead.test(plain(n).trimStart())) {
          flushTo(st.last);
          ended = true;
          this.conclusion.push(n);
          continue;
        }
      }
      pending.push(n);
    }
    const last = st.last;
    if (last) {
      if (pending.length) {
        if (!st.fromList) flushTo(last);
        else {
          // After a list, trailing blocks close the review, unless items had detached continuations.
          if (st.detached > 0) last.nodes.push(pending.shift()!);
          this.conclusion.push(...pending);
          pending.length = 0;
        }
      }
      finish(last);
    } else flushTo(null);
  }

  /** No titled findings anywhere: each paragraph (or plain list item) that raises a concern is a finding. */
  paragraphs(): void {
    const free = this.free;
    this.free = [];
    let seenUnit = false;
    let introduced = false;
    // "I looked at decode.c and found a few problems." before any finding: from there on a paragraph
    // that cites the code (lines, identifiers, files) states one of them, whatever its wording.
    let announced = false;
    free.forEach(({ node, section, kind }, i) => {
      const items: { node: RootContent; line: number }[] =
        node.type === 'list' ? node.children.map((it, j) => ({ node: wrapItem(node, it, j), line: lineOf(it) })) : [{ node, line: lineOf(node) }];
      // "I noticed the following issues:" followed by a list: every item is a finding.
      const listed = node.type === 'list' && introduced;
      const nodeText = node.type === 'paragraph' ? plain(node) : '';
      introduced = node.type === 'paragraph' && /:\s*$/.test(nodeText) && cues.listIntro.test(nodeText);
      for (const { node: n, line } of items) {
        const text = items.length === 1 && nodeText ? nodeText : plain(n);
        const lead = text.trimStart();
        const block = n.type === 'paragraph' || n.type === 'list' || n.type === 'blockquote';
        const isConcern =
          block &&
          (listed || cues.concern.test(text) || (announced && citesCode(n))) &&
          !(i === 0 && (cues.introLead.test(lead) || /:\s*$/.test(text))) &&
          !cues.conclusionLead.test(lead) &&
          !noDefectsOnly(text);
        if (isConcern) {
          this.units.push(finish(makeUnit([n], null, 'concern', section, kind, line)));
          seenUnit = true;
        } else if (seenUnit) this.conclusion.push(n);
        else {
          if (n.type === 'paragraph' && verdictOf(text) === 'defects') announced = true;
          this.preamble.push(n);
        }
      }
    });
  }

  /** Leftovers of finding-bearing sections go to the preamble before the first unit, else the conclusion. */
  settle(): void {
    const firstLine = this.units.length ? Math.min(...this.units.map((u) => u.line)) : Infinity;
    for (const { node } of this.free) (lineOf(node) < firstLine ? this.preamble : this.conclusion).push(node);
    this.free = [];
  }
}

function citesCode(n: RootContent): boolean {
  const e = evidenceOf([n]);
  return e.lines.length > 0 || e.identifiers.length > 0 || e.files.length > 0;
}

function noDefectsOnly(text: string): boolean {
  cues.noDefects.lastIndex = 0;
  return cues.noDefects.test(text);
}

const byLine = (a: RootContent, b: RootContent): number => lineOf(a) - lineOf(b);

/** Segment a parsed review. Pure apart from positioned messages on `file`. */
export function segmentTree(tree: Root, file: VFile): Segmentation {
  const blocks = tree.children.filter((n) => n.type !== 'yaml' && n.type !== 'definition' && n.type !== 'thematicBreak');
  if (blocks.length === 0) return { style: 'empty', preamble: [], conclusion: [], units: [], author: null };
  const audit = auditStyle(blocks, file);
  if (audit) return audit;

  const root = buildSections(blocks);
  const s = new Segmenter();
  s.section(root, 'body');
  let style: Segmentation['style'] = s.sectionCount > 2 ? 'sections' : 'items';
  if (s.titled === 0) {
    s.paragraphs();
    style = s.sectionCount > 2 ? 'sections' : 'paragraphs';
  } else s.settle();
  for (const u of s.units) u.statedSeverity ??= s.sectionSeverity.get(u.section) ?? null;
  s.units.sort((a, b) => a.line - b.line);
  s.preamble.sort(byLine);
  s.conclusion.sort(byLine);
  return { style, preamble: s.preamble, conclusion: s.conclusion, units: s.units, author: null };
}
