// Tickets (tickets/): tickets.json, a Jira CSV, GitHub issue bodies with a hidden fingerprint marker; with `since`, only new findings, plus the gone ones.
import { stringify as csv } from 'csv-stringify/sync';
import type { KB, Severity, Stance } from '../model.js';
import { findingsById } from './diff.js';
import { cleanText, oneLine } from './escape.js';
import { inSlices, jsonElement, jsonElementPieces, mapped, pageKey, type Renderer, type RendererOutput } from './files.js';
import type { TemplateSet } from './handlebars.js';
import type { Triage } from './triage.js';
import { SEVERITIES, subjectDigest, type FindingView, type KbView } from './view.js';
import { NO_MEMO, type Memo } from '../cache/memo.js';

export const TICKETS = 'tickets';

export type JiraPriority = 'Highest' | 'High' | 'Medium' | 'Low' | 'Lowest';
const PRIORITY: Record<Severity, JiraPriority> = { critical: 'Highest', high: 'High', medium: 'Medium', low: 'Low', info: 'Lowest' };

export interface Ticket {
  fingerprint: string;
  title: string;
  /** Markdown. */
  body: string;
  labels: string[];
  severity: Severity | null;
  priority: JiraPriority;
  subject: string;
  category: string | null;
  cwe: number[];
  stance: Stance | null;
  corroboration: number;
  /** The ticket already tracking it (from the triage file), or null. */
  ticket: string | null;
}

export interface GoneTicket {
  fingerprint: string;
  subject: string;
  title: string;
  severity: Severity | null;
  ticket: string | null;
}

export interface TicketOptions {
  stances?: readonly Stance[];
  since?: KB | null;
  triage?: Triage | null;
}

/** A fingerprint as a file name and inside an HTML comment: nothing but `[A-Za-z0-9._-]`, no `--`. */
export function fingerprintToken(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/-{2,}/g, (m) => '-_'.repeat(m.length).slice(0, m.length)) || '_';
}

/** Jira labels hold no spaces; keep them to a conservative character set. */
const label = (text: string): string => oneLine(text).replace(/[^A-Za-z0-9_.:-]+/g, '-').slice(0, 100);

/** A spreadsheet would run a cell starting with `=`, `+`, `-`, `@` as a formula: prefix a quote (OWASP CSV injection). */
const cell = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * A made ticket as the ticket lists hold it, already text: its element of tickets.json, and its row of
 * the Jira CSV up to its labels (the label columns are padded to the most labels any ticket has, known
 * only once every ticket is made). Parsed and stringified again for each list, the tickets of 10,000
 * reviews cost a second per run.
 */
interface MadeTicket {
  json: string;
  csv: string;
  /** How many labels the row holds. */
  labels: number;
}

/**
 * Where made tickets wait for the ticket lists, which need every one of them, in their own order:
 * in memory by default; at repository scale the CLI gives a file (output/spill.ts): tickets.json and
 * jira.csv of 40,000 reviews come to 230 MB. Entries are text, by key.
 */
export interface TicketShelf {
  add(id: string, entry: string): void;
  read(id: string): string;
}

class MemoryShelf implements TicketShelf {
  private readonly entries = new Map<string, string>();

  add(id: string, entry: string): void {
    this.entries.set(id, entry);
  }

  read(id: string): string {
    const entry = this.entries.get(id);
    if (entry === undefined) throw new Error(`no ticket was made for ${id}`);
    return entry;
  }
}

/** What the ticket lists need of a made ticket before they read it back: its GitHub issue page and how many labels it has. */
interface Shelved {
  path: string;
  key: string;
  labels: number;
}

/** Where a ticket's GitHub issue page goes. */
const issuePath = (fingerprint: string): string => `${TICKETS}/github/${fingerprintToken(fingerprint)}.md`;

/** What a ticket's GitHub issue page shows: the ticket, and the marker it hides the fingerprint in. */
function issueContext(t: Ticket): Ticket & { marker: string } {
  return { ...t, marker: `<!-- review-kb:fingerprint=${fingerprintToken(t.fingerprint)} -->` };
}

/**
 * Every run lists every open concern in tickets.json and jira.csv, and a ticket quotes each source's
 * excerpt: rendering them all again was most of an incremental run's rendering. A subject's tickets
 * depend only on its view (digested for page keys), the templates and build (the salt) and which
 * stances get tickets, so they are remembered per subject under that key and rendered again only for
 * subjects that changed.
 */
export function renderTickets(
  view: KbView,
  options: TicketOptions,
  tpl: TemplateSet,
  salt: string,
  memo: Memo = NO_MEMO,
  shelf: TicketShelf = new MemoryShelf(),
): Renderer {
  const stances = [...new Set<Stance>(options.stances ?? ['concern'])].sort();
  const made = new Map<FindingView, Shelved>();
  return {
    // Made with the subject's pages, which quote the same excerpts; listed once every subject's are made.
    *subject(s) {
      // Triage decided these need no (new) ticket: false positives, accepted risks, fixed.
      const open = [...s.findings, ...s.themed].filter((f) => f.stance !== null && stances.includes(f.stance) && (f.triage === null || f.triage.status === 'open'));
      if (open.length === 0) return;
      const key = `${salt}\u0000${stances.join(',')}\u0000${subjectDigest(s)}`;
      const tickets = memo.of('tickets', key, () => open.map((f) => madeTicket(toTicket(f, tpl), cleanText(tpl.render('ticket.txt.hbs', f)).trim())));
      open.forEach((f, i) => {
        const { json, csv: row, labels } = tickets[i]!;
        shelf.add(f.id, json);
        shelf.add(csvKey(f.id), row);
        // The issue page shows the ticket and a marker made from its path: the shelved text identifies both.
        const path = issuePath(f.id);
        made.set(f, { path, key: pageKey(salt, path, json), labels });
      });
    },
    after: () => ticketLists(view, made, shelf, options, tpl),
  };
}

function* ticketLists(view: KbView, made: Map<FindingView, Shelved>, shelf: TicketShelf, options: TicketOptions, tpl: TemplateSet): Generator<RendererOutput> {
  const previous = options.since ? findingsById(options.since) : null;
  const fresh = [...made.keys()]
    .filter((f) => !previous?.has(f.id))
    .sort(
      (a, b) =>
        SEVERITIES.indexOf(a.severity ?? 'info') + (a.severity ? 0 : 0.5) - (SEVERITIES.indexOf(b.severity ?? 'info') + (b.severity ? 0 : 0.5)) ||
        (a.subject.path < b.subject.path ? -1 : a.subject.path > b.subject.path ? 1 : 0) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  // Read back from the shelf as each list is written: never all of them at once.
  const labels = fresh.reduce((most, f) => Math.max(most, made.get(f)!.labels), 1);

  yield { path: `${TICKETS}/tickets.json`, pieces: () => jsonElementPieces(mapped(fresh, (f) => shelf.read(f.id))) };
  yield { path: `${TICKETS}/jira.csv`, pieces: () => jiraCsv(fresh, (f) => shelf.read(csvKey(f.id)), made, labels) };
  for (const f of fresh) {
    const { path, key } = made.get(f)!;
    // One file per ticket, most of them unchanged from the last run: left in place when their ticket is the same.
    yield { path, key, render: () => tpl.render('github-issue.md.hbs', issueContext(JSON.parse(shelf.read(f.id)) as Ticket)) };
  }
  if (previous && options.since) {
    const current = new Set(view.findingsById.keys());
    const gone: GoneTicket[] = [...previous.values()]
      .filter((f) => !current.has(f.id))
      .sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((f) => ({ fingerprint: f.id, subject: f.subject, title: oneLine(f.title), severity: f.severity, ticket: options.triage?.get(f.id)?.ticket ?? null }));
    yield { path: `${TICKETS}/gone.json`, content: `${JSON.stringify(gone, null, 2)}\n` };
  }
}

function toTicket(f: FindingView, tpl: TemplateSet): Ticket {
  const severity = f.severity ? `[${f.severity}] ` : '';
  // Jira caps a summary at 255 characters.
  const title = `${severity}${oneLine(f.title)} (${oneLine(f.subject.path)})`;
  return {
    fingerprint: f.id,
    title: title.length > 255 ? `${title.slice(0, 254)}…` : title,
    body: `${tpl.render('ticket.md.hbs', f).trim()}\n`,
    labels: [
      'review-kb',
      'security',
      ...(f.severity ? [`severity-${f.severity}`] : []),
      ...(f.category ? [label(`category-${f.category.id}`)] : []),
      ...f.cwe.map((w) => `cwe-${w.id}`),
    ],
    severity: f.severity,
    priority: f.severity ? PRIORITY[f.severity] : 'Medium',
    subject: oneLine(f.subject.path),
    category: f.category?.id ?? null,
    cwe: f.cwe.map((w) => w.id),
    stance: f.stance,
    corroboration: f.corroboration,
    ticket: f.triage?.ticket ?? null,
  };
}

/** Where a ticket's CSV row waits on the shelf, next to its JSON under the finding id. */
const csvKey = (id: string): string => `${id}\u0000csv`;

/** CSV text of one row of cells (csv-stringify quotes each cell on its own: rows and cells join as text). */
const csvCells = (cells: string[]): string => csv([cells], { record_delimiter: 'unix' }).slice(0, -1);

/**
 * A ticket as text: its tickets.json element, and its Jira CSV row up to its labels. Jira's CSV
 * importer takes one `Labels` column per label (that is how it imports several), multi-line
 * descriptions quoted by csv-stringify, plain text (Jira does not render markdown).
 */
function madeTicket(t: Ticket, description: string): MadeTicket {
  return { json: jsonElement(t, 2), csv: csvCells([cell(t.title), cell(description), t.priority, ...t.labels]), labels: t.labels.length };
}

/** The Jira CSV: each ticket's row with its label columns padded to `width`, then its fingerprint. */
function* jiraCsv(fresh: readonly FindingView[], row: (f: FindingView) => string, made: Map<FindingView, Shelved>, width: number): Generator<string> {
  yield `${csvCells(['Summary', 'Description', 'Priority', ...Array.from({ length: width }, () => 'Labels'), 'Fingerprint'])}\n`;
  for (const slice of inSlices(fresh, CSV_SLICE)) {
    yield slice.map((f) => `${row(f)}${','.repeat(width - made.get(f)!.labels)},${csvCells([f.id])}\n`).join('');
  }
}

/** Tickets per piece of the Jira CSV: a few tens of KB (see JSON_SLICE). */
const CSV_SLICE = 64;
