// unified plugin: the evidence each finding cites — line ranges, code identifiers, files and linked locations.
import type { Nodes, PhrasingContent, Root, RootContent } from 'mdast';
import type { VFile } from 'vfile';
import type { Evidence, FileRef, LineRange } from '../model.js';
import { cues } from './cues.js';

/** The plugin: leaves one Evidence per unit on `file.data.evidence`. */
export function evidence() {
  return (_tree: Root, file: VFile): void => {
    const seg = file.data.segmentation;
    file.data.evidence = seg
      ? seg.units.map((u) => {
          const e = evidenceOf(u.nodes);
          return u.lines?.length ? mergeEvidence([{ lines: u.lines, identifiers: [], files: [], locations: [] }, e]) : e;
        })
      : [];
  };
}

// ---------------------------------------------------------------- line references

const NUM = '\\d{1,7}';
const DASH = '\\s*(?:-|–|—|\\bto\\b|\\bthrough\\b|\\bthru\\b)\\s*';
const RANGE = `${NUM}(?:${DASH}[Ll]?${NUM})?`;
const SEP = '\\s*(?:,\\s*(?:and\\s+|&\\s*)?|&|\\band\\b|\\bor\\b)\\s*';
const KW = '[Ll][Ii][Nn][Ee][Ss]?';
// `line 69`, `lines 33-46 and lines 85-93`, `Line 83-96, 101-110`, `lines 51 and 72`; `L10`, `L10-L20` (not after `#`).
const LINE_REF = new RegExp(
  `\\b${KW}\\b\\s*(?:#|[Nn]os?\\.?|[Nn]umbers?)?\\s*:?\\s*(${RANGE}(?:${SEP}(?:${KW}\\s*)?${RANGE})*)|(?<![\\w#/.-])L(${NUM})(?:C\\d+)?(?:\\s*[-–]\\s*L?(${NUM})(?:C\\d+)?)?\\b`,
  'g',
);
const ONE_RANGE = new RegExp(`(${NUM})(?:${DASH}[Ll]?(${NUM}))?`, 'g');

function range(a: number, b: number = a): LineRange {
  return a <= b ? [a, b] : [b, a];
}

/** Every line range a text cites, in order of mention (duplicates kept). */
export function parseLineRefs(text: string): LineRange[] {
  const out: LineRange[] = [];
  LINE_REF.lastIndex = 0;
  for (let m = LINE_REF.exec(text); m; m = LINE_REF.exec(text)) {
    if (m[1] !== undefined) {
      ONE_RANGE.lastIndex = 0;
      for (let r = ONE_RANGE.exec(m[1]); r; r = ONE_RANGE.exec(m[1])) {
        out.push(range(Number(r[1]), r[2] !== undefined ? Number(r[2]) : undefined));
      }
    } else if (m[2] !== undefined) {
      out.push(range(Number(m[2]), m[3] !== undefined ? Number(m[3]) : undefined));
    }
  }
  return out;
}

const ANCHOR = /^L(\d+)(?:C\d+)?(?:-L?(\d+)(?:C\d+)?)?$/;

/** Lines of a `#L66-L84` / `#L10` anchor. */
export function anchorLines(fragment: string): LineRange[] {
  const m = ANCHOR.exec(fragment.replace(/^#/, ''));
  return m ? [range(Number(m[1]), m[2] !== undefined ? Number(m[2]) : undefined)] : [];
}

// ---------------------------------------------------------------- files and URLs

const EXT = [...cues.fileExtensions].sort((a, b) => b.length - a.length).join('|');
const PATH = `(?:[\\w@~+.-]+\\/)*[\\w@~+-][\\w@~+.-]*\\.(?:${EXT})`;
const URL_RE = /https?:\/\/[^\s<>()[\]"'`]+/g;
const FILE_FULL = new RegExp(`^\\.?\\/?(${PATH})(?:(?::|#L)(\\d+)(?:\\s*[-–]\\s*L?(\\d+))?)?$`);
const BLOB = /^https?:\/\/[^/]+\/[^/]+\/[^/]+\/(?:-\/)?blob\/[^/]+\/([^#?]+)(?:\?[^#]*)?(?:#(.*))?$/;
const RAW = /^https?:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[^/]+\/([^#?]+)(?:\?[^#]*)?(?:#(.*))?$/;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A repository file link (`…/blob/<ref>/<path>#L10-L20`) → path and lines; null for other URLs. */
export function parseFileUrl(url: string): { path: string; lines: LineRange[] } | null {
  const m = BLOB.exec(url) ?? RAW.exec(url);
  if (!m) return null;
  return { path: decode(m[1]!).replace(/\/+$/, ''), lines: m[2] ? anchorLines(m[2]) : [] };
}

function trimUrl(u: string): string {
  return u.replace(/[.,;:!?*_]+$/, '');
}

// ---------------------------------------------------------------- identifiers

const NUMERIC = /^[-+]?(?:0x[0-9a-f]+|\d[\d_,]*(?:\.\d+)?(?:e[-+]?\d+)?)%?$/i;
const IDENT = '[A-Za-z_$][\\w$]*';
const QUALIFIED = `${IDENT}(?:(?:\\.|::|->|#)${IDENT})*`;
const CODE_NAME = new RegExp(`^(${QUALIFIED})(?:\\((.*)\\))?(?:\\[\\])?$`, 's');
const CODE_ASSIGN = new RegExp(`^(${IDENT}(?:\\.${IDENT})*)\\s*=\\s*([^=\\s][^\\s]*)$`);
const SIMPLE_VALUE = /^(?:[\w$.+-]+|"[^"]*"|'[^']*'|\[[^\]]*\]|\([^)]*\)|\{[^}]*\})$/;
const SNAKE = /^_*[A-Za-z][A-Za-z0-9]*(?:_+[A-Za-z0-9]+)+_*$/;

function balanced(s: string): boolean {
  let d = 0;
  for (const ch of s) {
    if (ch === '(') d++;
    else if (ch === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** What an inline code span cites: an identifier (`run_as_root=True` → `run_as_root`, `foo()` → `foo`), a file, or nothing. */
export function classifyCode(value: string): { identifier?: string; file?: { path: string; lines: LineRange[] } } {
  const v = value.trim().replace(/^@/, '').replace(/;$/, '');
  if (!v || v.length > 120 || NUMERIC.test(v) || /^["'`]/.test(v) || cues.literals.has(v.toLowerCase())) return {};
  const f = FILE_FULL.exec(v);
  if (f) return { file: { path: f[1]!, lines: f[2] ? [range(Number(f[2]), f[3] ? Number(f[3]) : undefined)] : [] } };
  const m = CODE_NAME.exec(v);
  if (m && (m[2] === undefined || balanced(m[2]))) return cues.literals.has(m[1]!.toLowerCase()) ? {} : { identifier: m[1]! };
  const a = CODE_ASSIGN.exec(v);
  if (a && SIMPLE_VALUE.test(a[2]!)) return { identifier: a[1]! };
  return {};
}

function isCamel(s: string): boolean {
  if (s.length < 4 || !/^[A-Za-z][A-Za-z0-9]*$/.test(s) || !/[a-z]/.test(s)) return false;
  if (/^[A-Z]+s$/.test(s)) return false; // plural acronyms: URLs, APIs
  let upper = 0;
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) >= 65 && s.charCodeAt(i) <= 90) upper++;
  return /^[a-z]/.test(s) ? upper >= 1 : upper >= 1 && /[a-z]/.test(s.slice(1));
}

/** Whether a bare word is unambiguously code: snake_case, CamelCase with an inner capital, UPPER_CASE. */
export function isCodeWord(s: string): boolean {
  return !cues.properNouns.has(s) && (SNAKE.test(s) || isCamel(s));
}

// A word with no `_`, separator, call parens or inner capital can be none of the shapes below (most words of prose).
const PLAIN_WORD = /^[A-Za-z_$][a-z0-9$]*$/;

/** An identifier written without backticks (`get_unused_port`, `WIchiFarm#burn`, `foo()`), or null. */
export function bareIdentifier(token: string): string | null {
  if (PLAIN_WORD.test(token) || cues.properNouns.has(token)) return null;
  const call = token.endsWith('()');
  const t = call ? token.slice(0, -2) : token;
  const parts = t.split(/\.|::|#/);
  if (parts.some((p) => !p)) return null;
  if (call) return t.length >= 2 && !cues.literals.has(t.toLowerCase()) ? t : null;
  if (parts.length === 1) return isCodeWord(t) ? t : null;
  return parts.some(isCodeWord) ? t : null;
}

// One scan per text node: URLs first, then file paths, then identifier-looking tokens.
const TEXT_SCAN = new RegExp(
  `(${URL_RE.source})|(?<![\\w/.@-])(${PATH})(?![\\w/-]|\\.[A-Za-z])(?:(?::|#L)(\\d+)(?:\\s*[-–]\\s*L?(\\d+))?)?|(?<![\\w$.#])(${QUALIFIED}(?:\\(\\))?)`,
  'g',
);

// ---------------------------------------------------------------- collection

class Collector {
  lines: LineRange[] = [];
  private lineKeys = new Set<string>();
  identifiers: string[] = [];
  private idSet = new Set<string>();
  locations: FileRef[] = [];

  line(r: LineRange): void {
    const k = `${r[0]}-${r[1]}`;
    if (this.lineKeys.has(k)) return;
    this.lineKeys.add(k);
    this.lines.push(r);
  }

  identifier(id: string): void {
    if (this.idSet.has(id)) return;
    this.idSet.add(id);
    this.identifiers.push(id);
  }

  /** A named or linked file; a shorter name of a known path (`Bank.sol` vs `contracts/Bank.sol`) is the same file. */
  file(path: string, lines: LineRange[], url?: string): void {
    if (cues.properNouns.has(path)) return;
    let ref: FileRef | undefined;
    for (const l of this.locations) {
      if (l.path === path || l.path.endsWith('/' + path)) {
        ref = l;
        break;
      }
      if (path.endsWith('/' + l.path)) {
        l.path = path;
        ref = l;
        break;
      }
    }
    if (!ref) {
      ref = { path, lines: [] };
      this.locations.push(ref);
    }
    if (url && !ref.url) ref.url = url;
    for (const r of lines) if (!ref.lines.some((x) => x[0] === r[0] && x[1] === r[1])) ref.lines.push(r);
  }

  url(raw: string): void {
    const u = trimUrl(raw);
    const f = parseFileUrl(u);
    if (f) this.file(f.path, f.lines, u);
  }

  /** Plain text of a phrasing node: URLs, files, identifiers; returns the text for line scanning (URLs blanked). */
  text(value: string): string {
    let masked = '';
    let last = 0;
    TEXT_SCAN.lastIndex = 0;
    for (let m = TEXT_SCAN.exec(value); m; m = TEXT_SCAN.exec(value)) {
      if (m[1] !== undefined) {
        this.url(m[1]);
        masked += value.slice(last, m.index) + ' ';
        last = m.index + m[0].length;
      } else if (m[2] !== undefined) {
        this.file(m[2], m[3] ? [range(Number(m[3]), m[4] ? Number(m[4]) : undefined)] : []);
      } else if (m[5] !== undefined) {
        const id = bareIdentifier(m[5]);
        if (id) this.identifier(id);
      }
    }
    return last ? masked + value.slice(last) : value;
  }

  code(value: string, next: PhrasingContent | undefined): void {
    const c = classifyCode(value);
    if (c.file) this.file(c.file.path, c.file.lines);
    if (!c.identifier) return;
    // "the `neutron` project" names a project, not a code symbol.
    if (next?.type === 'text') {
      const w = /^\s+([A-Za-z]+)/.exec(next.value);
      if (w && cues.nonCodeNouns.has(w[1]!.toLowerCase())) return;
    }
    this.identifier(c.identifier);
  }

  phrasing(nodes: readonly PhrasingContent[], inLink: boolean): string {
    let buf = '';
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      switch (n.type) {
        case 'text':
          buf += inLink ? '' : this.text(n.value);
          break;
        case 'inlineCode':
          this.code(n.value, nodes[i + 1]);
          buf += inLink ? '' : n.value;
          break;
        case 'break':
          buf += '\n';
          break;
        case 'link': {
          const u = n.url.trim();
          if (/^https?:\/\//i.test(u)) {
            this.url(u);
            this.phrasing(n.children, true);
          } else {
            const f = FILE_FULL.exec(u.replace(/#L/, ':').replace(/^\.\//, ''));
            const hash = u.indexOf('#');
            if (f) this.file(f[1]!, hash >= 0 ? anchorLines(u.slice(hash + 1)) : f[2] ? [range(Number(f[2]), f[3] ? Number(f[3]) : undefined)] : []);
            buf += this.phrasing(n.children, inLink);
          }
          break;
        }
        case 'strong':
        case 'emphasis':
        case 'delete':
        case 'linkReference':
          buf += this.phrasing(n.children, inLink);
          break;
        default:
          break;
      }
    }
    return buf;
  }

  block(n: Nodes): void {
    switch (n.type) {
      case 'code':
      case 'html':
      case 'yaml':
      case 'definition':
        return;
      case 'paragraph':
      case 'heading':
      case 'tableCell':
        for (const r of parseLineRefs(this.phrasing(n.children, false))) this.line(r);
        return;
      default:
        if ('children' in n) for (const c of n.children as Nodes[]) this.block(c);
    }
  }

  result(): Evidence {
    return { lines: this.lines, identifiers: this.identifiers, files: this.locations.map((l) => l.path), locations: this.locations };
  }
}

/** The evidence cited by a run of block nodes (one walk). */
export function evidenceOf(nodes: readonly RootContent[]): Evidence {
  const c = new Collector();
  for (const n of nodes) c.block(n);
  return c.result();
}

/** The evidence of one finding stated in several places: the union, in first-mention order. */
export function mergeEvidence(parts: readonly Evidence[]): Evidence {
  const c = new Collector();
  for (const e of parts) {
    for (const r of e.lines) c.line(r);
    for (const id of e.identifiers) c.identifier(id);
    for (const l of e.locations) c.file(l.path, l.lines, l.url);
  }
  return c.result();
}
