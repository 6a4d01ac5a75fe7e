// Handlebars setup: one isolated environment, helpers registered once, templates (and partials) compiled once and cached.
import Handlebars from 'handlebars';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { html, mdCell, mdCode, mdCodeCell, mdHref, mdInline, oneLine } from './escape.js';
import { formatLines, relLink } from './view.js';
import type { LineRange } from '../model.js';

/**
 * Markdown templates compile with `noEscape`: Handlebars' HTML escaping is wrong for markdown
 * (`&amp;` inside code spans, nothing done about `|`, `#`, `[`…), so every untrusted string goes
 * through an explicit helper (`md`, `cell`, `code`, `codecell`). Helper names avoid the view's
 * field names (`href`, `lines`, `title`…): Handlebars would call a helper where a field was meant. HTML templates (`*.html.hbs`)
 * keep Handlebars' HTML escaping, and use `{{{…}}}` only for HTML we sanitized ourselves.
 * Review text only ever reaches Handlebars as context data; it is never compiled.
 */
const hb = Handlebars.create();

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const isOptions = (v: unknown): boolean => typeof v === 'object' && v !== null && 'hash' in v && 'data' in v;
/** Handlebars passes its options object last; drop it to get the real arguments. */
const args = (list: unknown[]): unknown[] => (list.length > 0 && isOptions(list[list.length - 1]) ? list.slice(0, -1) : list);

const helpers: Record<string, (...a: unknown[]) => unknown> = {
  /** Untrusted text as one safe markdown line. */
  md: (v) => mdInline(v == null ? '' : String(v)),
  /** Untrusted text in a GFM table cell. */
  cell: (v) => mdCell(v == null ? '' : String(v)),
  /** Untrusted text as a code span. */
  code: (v) => mdCode(v == null ? '' : String(v)),
  /** Untrusted text as a code span inside a table cell. */
  codecell: (v) => mdCodeCell(v == null ? '' : String(v)),
  /** A markdown link with an escaped label to a destination we built (`href` percent-encoded). */
  link: (label, href) => `[${mdInline(String(label ?? ''))}](${mdHref(String(href ?? ''))})`,
  /** Percent-encodes a link destination we built (named so no context field can shadow it). */
  dest: (v) => mdHref(String(v ?? '')),
  /** HTML-escaped text (also done by `{{…}}` in HTML templates). */
  escapeHtml: (v) => html(v == null ? '' : String(v)),
  /** Plain one-line text: control characters and line breaks removed (for JSON/CSV-like contexts). */
  plain: (v) => oneLine(v == null ? '' : String(v)),
  /** Relative link between two output files. */
  rel: (from, to) => relLink(String(from), String(to)),
  /** `[[1,2],[5,5]]` → `L1-L2, L5`. */
  ranges: (v) => (Array.isArray(v) ? (v as LineRange[]).map(formatLines).join(', ') : ''),
  /** A number in [0,1] as a percentage. */
  pct: (v) => (num(v) === null ? '–' : `${Math.round(num(v)! * 100)}%`),
  /** A number with fixed digits (default 1). */
  fixed: (v, d) => (num(v) === null ? '–' : num(v)!.toFixed(num(d) ?? 1)),
  /** Concatenates its arguments as strings. */
  concat: (...a) => args(a).map((x) => String(x ?? '')).join(''),
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => (num(a) ?? 0) > (num(b) ?? 0),
  and: (...a) => args(a).every(Boolean),
  or: (...a) => args(a).some(Boolean),
  not: (v) => !v || (Array.isArray(v) && v.length === 0),
  len: (v) => (Array.isArray(v) ? v.length : typeof v === 'string' ? v.length : 0),
  inc: (v) => (num(v) ?? 0) + 1,
  /** Joins array items with a separator (default `, `); items are NOT escaped: map them first. */
  join: (v, sep) => (Array.isArray(v) ? v.join(typeof sep === 'string' ? sep : ', ') : ''),
  /** Joins untrusted strings as escaped markdown. */
  mdjoin: (v, sep) => (Array.isArray(v) ? v.map((x) => mdInline(String(x))).join(typeof sep === 'string' ? sep : ', ') : ''),
  /** Joins untrusted strings as code spans. */
  codejoin: (v, sep) => (Array.isArray(v) ? v.map((x) => mdCode(String(x))).join(typeof sep === 'string' ? sep : ', ') : ''),
  /** `n thing` / `n things`. */
  plural: (n, word, many) => `${n} ${n === 1 ? word : typeof many === 'string' ? many : `${String(word)}s`}`,
  /** Value of a record at a key (`lookup` that also works on Maps). */
  get: (obj, key) => (obj instanceof Map ? obj.get(key) : obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[String(key)] : undefined),
  /** Capitalized word. */
  cap: (v) => (typeof v === 'string' && v.length > 0 ? v[0]!.toUpperCase() + v.slice(1) : v ?? ''),
};
for (const [name, fn] of Object.entries(helpers)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
const KNOWN_HELPERS: Record<string, true> = Object.fromEntries(Object.keys(helpers).map((name) => [name, true]));
/** The inherited properties templates may read: a source's quotes, getters made on first use (QuotedSource, view.ts). Handlebars denies any other. */
const QUOTE_GETTERS: Record<string, boolean> = { quoteMd: true, quoteHtml: true };

/** The package's own `templates/` folder, found from this module in `src/render/` or `dist/src/render/`. */
export function defaultTemplatesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return join(dir, 'templates');
    dir = dirname(dir);
  }
  throw new Error('review-kb: cannot find the templates folder');
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();

function compileFile(file: string): Handlebars.TemplateDelegate {
  const source = readFileSync(file, 'utf8');
  // Keyed by content too, so an edited override is picked up within one process.
  const key = `${file}\u0000${source}`;
  let template = compiled.get(key);
  if (!template) {
    try {
      // Parse now so a broken template fails here, naming its file, not halfway through a render.
      hb.parse(source);
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    // Templates can use only our helpers and the built-ins (they cannot register more), so `{{title}}`
    // compiles to a field lookup instead of a run-time "helper or field?" check on every use.
    template = hb.compile(source, { noEscape: !file.endsWith('.html.hbs'), strict: false, preventIndent: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true });
    compiled.set(key, template);
  }
  return template;
}

/** Where a template lives: the override folder wins, by file name. */
function templatePath(name: string, templatesDir: string | undefined): string {
  if (templatesDir) {
    const override = resolve(templatesDir, name);
    if (existsSync(override)) return override;
  }
  return join(defaultTemplatesDir(), name);
}

/**
 * Partials are the templates whose file names start with `_`, named without extensions
 * (`_finding.md.hbs` → `{{> finding}}`);
 * an override folder can replace any of them.
 */
function partials(templatesDir: string | undefined): Record<string, Handlebars.TemplateDelegate> {
  const names = new Set<string>();
  for (const dir of [defaultTemplatesDir(), ...(templatesDir ? [resolve(templatesDir)] : [])]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.startsWith('_') && f.endsWith('.hbs')) names.add(f);
  }
  const result: Record<string, Handlebars.TemplateDelegate> = {};
  for (const f of [...names].sort()) result[f.slice(1).replace(/\..*$/, '')] = compileFile(templatePath(f, templatesDir));
  return result;
}

/** The templates of one render: files read and compiled once, partials resolved once. */
export interface TemplateSet {
  /** Renders template `name` (`report.md.hbs`) with `context`. */
  render(name: string, context: unknown): string;
  /** A static asset next to the templates (`html.css`, `html.js`), overridable by file name too. */
  asset(name: string): string;
}

/** Templates from `templatesDir` (by file name) over the bundled ones. */
export function templateSet(templatesDir?: string): TemplateSet {
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  const assets = new Map<string, string>();
  let partialMap: Record<string, Handlebars.TemplateDelegate> | null = null;
  return {
    render(name, context) {
      let template = templates.get(name);
      if (!template) {
        template = compileFile(templatePath(name, templatesDir));
        templates.set(name, template);
      }
      partialMap ??= partials(templatesDir);
      try {
        return template(context, { partials: partialMap, allowProtoPropertiesByDefault: false, allowedProtoProperties: QUOTE_GETTERS });
      } catch (error) {
        // Compilation finishes on first use (an unknown helper is found then): name the template.
        throw new Error(`${templatePath(name, templatesDir)}: ${(error as Error).message}`);
      }
    },
    asset(name) {
      let text = assets.get(name);
      if (text === undefined) {
        text = readFileSync(templatePath(name, templatesDir), 'utf8');
        assets.set(name, text);
      }
      return text;
    },
  };
}
