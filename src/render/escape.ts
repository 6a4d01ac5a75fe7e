// Escaping untrusted review text for each output format: markdown (inline, table cell, code span), HTML, plain.

/** ANSI/VT escape sequences (CSI, OSC, two-character escapes) — terminal control, never content. */
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
/** C0/C1 control characters except tab and newline, DEL, and bidi overrides ("trojan source"). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes terminal escapes, control characters, NUL bytes and bidi overrides; normalizes line
 * breaks to `\n`. What is left is printable text (plus tabs and newlines). Used before every output.
 */
export function cleanText(text: string): string {
  // Most text has nothing to clean: one test instead of three replacements (render calls this for every field).
  if (!UNCLEAN.test(text)) return text;
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(ANSI, '')
    .replace(CONTROL, '');
}
/** Any character cleanText changes: CR, line/paragraph separators, ESC and the other CONTROL characters. */
const UNCLEAN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Printable text on one line: whitespace runs (including newlines) become one space. */
export function oneLine(text: string): string {
  const clean = cleanText(text);
  return (/\s\s|[^\S ]/.test(clean) ? clean.replace(/\s+/g, ' ') : clean).trim();
}

/**
 * Escapes untrusted text for a markdown line: inline, one line, cannot open or close any markdown
 * or HTML construct, cannot start a block, cannot become a Vue/MDX expression. `<`, `>`, `&` become
 * entities because a backslash before `<` is not an escape in Python-Markdown (MkDocs).
 */
export function mdInline(text: string): string {
  return escapeLine(oneLine(text));
}

/**
 * Escapes untrusted text that may span lines (a text node inside a paragraph): every line gets the
 * inline escapes, and no line can start a block (list, heading underline, quote, numbered item).
 * `autolink` false inside a link label, where a bare URL must stay text (links do not nest).
 */
export function mdText(text: string, atLineStart = true, autolink = true): string {
  return cleanText(text)
    .split('\n')
    .map((line, i) => escapeLine(line.replace(/\t/g, ' '), i > 0 || atLineStart, autolink))
    .join('\n');
}

/** Bare URLs the way GFM sees them: `http(s)://…` or `www.…` up to a space or a character we would escape. */
const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>"'`{}|\\^[\]]+/gi;

const TRAILING = new Set('?!.,:*_~\'"');

/**
 * GFM drops trailing punctuation from a bare URL, and a `)` that closes nothing. One pass from the
 * end with running counts: a URL followed by thousands of `)` must not cost a count per `)`.
 */
function trimUrl(url: string): string {
  let end = url.length;
  const strip = (): void => {
    while (end > 0 && TRAILING.has(url[end - 1]!)) end--;
  };
  strip();
  let open = 0;
  let close = 0;
  for (let i = 0; i < end; i++) {
    if (url[i] === '(') open++;
    else if (url[i] === ')') close++;
  }
  while (end > 0 && url[end - 1] === ')' && open < close) {
    end--;
    close--;
    strip();
  }
  return url.slice(0, end);
}

/** A bare URL found in text: where it starts, the URL as written, and the destination to link it to. */
export interface BareUrl {
  index: number;
  url: string;
  /** http(s) URL (`www.` gets `http://`), percent-encoded so it stays one link destination. */
  dest: string;
}

/** The bare URLs of a text as GFM would link them (http(s) and `www.` only), in order, not overlapping. */
export function bareUrls(text: string): BareUrl[] {
  const found: BareUrl[] = [];
  if (!MAYBE_URL.test(text)) return found;
  let last = 0;
  for (const m of text.matchAll(BARE_URL)) {
    const url = trimUrl(m[0]);
    if (url.length < 8 || m.index! < last) continue;
    const dest = (/^www\./i.test(url) ? `http://${url}` : url).replace(/[^A-Za-z0-9\-._~:/?#@!$&*+,;=%]/gu, (c) => encodeUnit(c).replace(/[()']/g, (x) => `%${x.charCodeAt(0).toString(16).toUpperCase()}`));
    found.push({ index: m.index!, url, dest });
    last = m.index! + url.length;
  }
  return found;
}

/**
 * Escapes one line. Bare URLs become explicit links (http/https only, label escaped, destination
 * percent-encoded): otherwise GFM would link them itself and swallow the escapes that follow.
 */
function escapeLine(line: string, atLineStart = true, autolink = true): string {
  let out = '';
  let last = 0;
  for (const { index, url, dest } of autolink ? bareUrls(line) : []) {
    out += escapeText(line.slice(last, index));
    out += `[${escapeText(url)}](${dest})`;
    last = index + url.length;
  }
  out += escapeText(line.slice(last));
  if (!atLineStart || !BLOCK_START.test(out)) return out;
  // A line that starts with a list, heading-underline or block marker must not become one.
  return out.replace(/^(\s*)([-+=:])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/** Percent-encodes one character; a lone surrogate (broken UTF-16 in a KB) becomes U+FFFD instead of throwing. */
function encodeUnit(c: string): string {
  try {
    return encodeURIComponent(c);
  } catch {
    return '%EF%BF%BD';
  }
}

/** Cheap pre-checks: most lines hold no URL and start no block. */
const MAYBE_URL = /https?:\/\/|www\./i;
const BLOCK_START = /^\s*(?:[-+=:]|\d+[.)])/;

/**
 * Characters escaped with a backslash in markdown text: everything that can open emphasis, code,
 * links (so `(` `!` need none), tables, headings, strikethrough, or MDX expressions. Python-Markdown,
 * CommonMark, GFM, MDX and markdown-it all accept these escapes (`|` via the tables extension in
 * Python-Markdown). `&<>` become entities instead. One pass for all of them.
 */
const TEXT_SPECIAL = /[\\`*[\]|{}#&<>~]/g;
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function escapeText(text: string): string {
  let s = text.replace(TEXT_SPECIAL, (c) => TEXT_ESCAPES[c] ?? `\\${c}`);
  // `_` opens emphasis only at a word boundary; keep `run_as_root` readable.
  if (s.includes('_')) s = s.replace(/(^|[^\p{L}\p{N}])_|_(?=$|[^\p{L}\p{N}])/gu, (m) => m.replace('_', '\\_'));
  // `!` makes an image of a link that follows, possibly in the next node.
  if (s.includes('!')) s = s.replace(/!(?=\[|$)/g, '\\!');
  return s.includes('{') || s.includes('}') ? breakMustache(s) : s;
}

/** Same as {@link mdInline}; also safe inside a GFM table cell (`|` is already escaped). */
export function mdCell(text: string): string {
  const s = mdInline(text);
  return s === '' ? ' ' : s;
}

/**
 * A code span holding untrusted text verbatim: the fence is longer than any backtick run inside, so
 * the text cannot close it.
 */
export function mdCode(text: string): string {
  const s = breakMustache(oneLine(text));
  if (s === '') return '';
  // A reduce, not Math.max(...runs): hundreds of thousands of arguments overflow the stack.
  const longest = (s.match(/`+/g) ?? []).reduce((m, r) => Math.max(m, r.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = /^[ `]|[ `]$/.test(s) ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** {@link mdCode} for a GFM table cell, where even inside a code span `|` must be escaped. */
export function mdCodeCell(text: string): string {
  return mdCode(text).replace(/\|/g, '\\|');
}

/**
 * `{{` is a Vue interpolation in VitePress pages even after markdown escapes are removed, and a
 * Handlebars/Jinja expression elsewhere: a zero-width space keeps the braces apart, visibly unchanged.
 */
export function breakMustache(text: string): string {
  return text.replace(/([{}])(?=\\?[{}])/g, '$1\u200b');
}

/** A URL is linked only when it is http(s) or mailto; anything else (`javascript:`, `data:`) is not. */
export function safeUrl(url: string): string | null {
  const u = oneLine(url);
  return /^(https?:\/\/|mailto:)[^\s<>"'`]+$/i.test(u) ? u : null;
}

/** A link destination we generate (relative path + fragment): percent-encoded so spaces and parentheses stay inside. */
export function mdHref(path: string): string {
  return encodeURI(path).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for HTML content and quoted attribute values. */
export function html(text: string): string {
  return cleanText(text).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]!);
}

/** A slug for anchors and file names: lowercase ASCII letters, digits and dashes; never empty. */
export function slug(text: string): string {
  const s = oneLine(text)
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/g, '');
  return s === '' ? 'x' : s;
}

/** Unique slugs for a list of texts, in order: `-2`, `-3`… on collision. */
export function uniqueSlugs(texts: readonly string[]): string[] {
  const seen = new Set<string>();
  return texts.map((t) => {
    const base = slug(t);
    let s = base;
    for (let n = 2; seen.has(s); n++) s = `${base}-${n}`;
    seen.add(s);
    return s;
  });
}
