import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoredMemo, type Memo } from '../../src/cache/memo.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { renderAll, type RenderedFile } from '../../src/render/index.js';
import { parseTriage } from '../../src/render/triage.js';
import type { Ticket } from '../../src/render/tickets.js';
import type { KB } from '../../src/model.js';
import { Spill } from '../../src/output/spill.js';
import { nodes, parseMd, sampleKb } from './helpers.js';

const get = (files: RenderedFile[], path: string): string | undefined => files.find((f) => f.path === path)?.content;
const ticketsOf = (files: RenderedFile[]): Ticket[] => JSON.parse(get(files, 'tickets/tickets.json')!) as Ticket[];

describe('tickets', () => {
  const files = renderAll(sampleKb(), {});
  const tickets = ticketsOf(files);

  it('has one ticket per concern-stance finding by default, most severe first', () => {
    expect(tickets.map((t) => t.fingerprint)).toEqual(['rk-e4d3c2b1a0', 'rk-7c1e0a42d9', 'rk-2b9f51e0c3', 'rk-5e8c2d7a61', 'rk-0f4b9a3c7e']);
    const ci = tickets[1]!;
    expect(ci.title).toBe('[high] Command injection via `execute` (neutron/agent/linux/utils.py)');
    expect(ci.labels).toEqual(['review-kb', 'security', 'severity-high', 'category-command-injection', 'cwe-78', 'cwe-250']);
    expect(ci.priority).toBe('High');
    expect(ci.severity).toBe('high');
    expect(ci.body).toContain('- **Agreement:** stated by 2 of 2 reviews (claude-3-opus, gpt-4o)');
    // The hostile title stays one clean line.
    expect(tickets[0]!.title).not.toMatch(/[\n\u001b]/);
  });

  it('takes other stances when asked', () => {
    const all = ticketsOf(renderAll(sampleKb(), { ticketStances: ['concern', 'positive', 'generic'] }));
    expect(all.map((t) => t.fingerprint)).toContain('rk-91d7e2b5a0');
    expect(all.map((t) => t.fingerprint)).toContain('rk-d3a0f6b218');
    expect(all).toHaveLength(8);
  });

  it('writes a Jira CSV that parses back to the same tickets, multi-line descriptions intact', () => {
    const rows = parseCsv(get(files, 'tickets/jira.csv')!, { relax_column_count: false }) as string[][];
    const header = rows[0]!;
    expect(header[0]).toBe('Summary');
    expect(header[1]).toBe('Description');
    expect(header[2]).toBe('Priority');
    expect(header.at(-1)).toBe('Fingerprint');
    expect(header.slice(3, -1).every((h) => h === 'Labels')).toBe(true);
    expect(rows).toHaveLength(tickets.length + 1);
    rows.slice(1).forEach((row, i) => {
      const t = tickets[i]!;
      expect(row[0]).toBe(t.title);
      expect(['Highest', 'High', 'Medium', 'Low', 'Lowest']).toContain(row[2]);
      expect(row[2]).toBe(t.priority);
      expect(row.slice(3, -1).filter(Boolean)).toEqual(t.labels);
      expect(row.at(-1)).toBe(t.fingerprint);
      expect(row[1]!.split('\n').length).toBeGreaterThan(3);
      expect(row[1]).toContain(`Fingerprint: ${t.fingerprint}`);
    });
    expect(rows[1]![0]).toContain('<script>alert(1)</script>');
    expect(rows[1]![1]).not.toMatch(/\u001b|\u0000/);
  });

  it('neutralizes spreadsheet formulas in CSV cells', () => {
    const kb = sampleKb();
    const f = kb.subjects[0]!.findings[0]!;
    f.title = '=HYPERLINK("http://x","y")';
    f.severity = null; // no `[severity]` prefix: the title starts the cell
    kb.subjects[0]!.path = '@cmd';
    const rows = parseCsv(get(renderAll(kb, {}), 'tickets/jira.csv')!) as string[][];
    const row = rows.find((r) => r.at(-1) === 'rk-7c1e0a42d9')!;
    expect(row[0]).toBe(`'=HYPERLINK("http://x","y") (@cmd)`);
    expect(row[2]).toBe('Medium');
    // tickets.json keeps the title as it is: only the spreadsheet format needs the guard.
    expect(ticketsOf(renderAll(kb, {})).find((t) => t.fingerprint === 'rk-7c1e0a42d9')!.title).toBe('=HYPERLINK("http://x","y") (@cmd)');
  });

  it('writes GitHub issue bodies with a hidden fingerprint marker', () => {
    for (const t of tickets) {
      const body = get(files, `tickets/github/${t.fingerprint}.md`)!;
      expect(body.trimEnd().endsWith(`<!-- review-kb:fingerprint=${t.fingerprint} -->`)).toBe(true);
      // The marker is the only raw HTML: review text cannot open a comment or a tag.
      const html = nodes(parseMd(body)).filter((n) => n.type === 'html');
      expect(html.map((n) => n.value)).toEqual([`<!-- review-kb:fingerprint=${t.fingerprint} -->`]);
    }
  });
});

describe('tickets since a previous KB, and triage', () => {
  /** The next run: one finding fixed (gone), one new, one re-rated. */
  function nextKb(): KB {
    const kb = sampleKb();
    const utils = kb.subjects[0]!;
    utils.findings = utils.findings.filter((f) => f.id !== 'rk-2b9f51e0c3');
    utils.findings.push({ ...utils.findings[0]!, id: 'rk-new0000001', title: 'Temporary file created with a predictable name', category: 'file-handling', cwe: [], severity: 'medium' });
    kb.subjects[1]!.findings[1]!.severity = 'medium';
    return kb;
  }

  it('emits only findings new since then, and lists the gone ones with their tickets', () => {
    const triage = parseTriage('rk-2b9f51e0c3: {status: open, ticket: "https://jira.example.com/browse/SEC-12"}\n', 'triage.yml');
    const files = renderAll(nextKb(), { since: sampleKb(), triage });
    expect(ticketsOf(files).map((t) => t.fingerprint)).toEqual(['rk-new0000001']);
    expect(JSON.parse(get(files, 'tickets/gone.json')!)).toEqual([
      { fingerprint: 'rk-2b9f51e0c3', subject: 'neutron/agent/linux/utils.py', title: 'File System Operations', severity: 'medium', ticket: 'https://jira.example.com/browse/SEC-12' },
    ]);
    expect(files.filter((f) => f.path.startsWith('tickets/github/')).map((f) => f.path)).toEqual(['tickets/github/rk-new0000001.md']);
    // Against itself, nothing is new and nothing is gone.
    const same = renderAll(sampleKb(), { since: sampleKb() });
    expect(ticketsOf(same)).toEqual([]);
    expect(JSON.parse(get(same, 'tickets/gone.json')!)).toEqual([]);
    // Without `since` there is no gone list.
    expect(get(renderAll(sampleKb(), {}), 'tickets/gone.json')).toBeUndefined();
  });

  it('honours the triage file in every output', () => {
    const triage = parseTriage(
      [
        'rk-7c1e0a42d9:',
        '  status: false-positive',
        '  note: "cmd is built from constants only"',
        'rk-5e8c2d7a61:',
        '  status: accepted',
        '  note: "functional tests run as root by design"',
        '  ticket: https://jira.example.com/browse/SEC-7',
        'rk-0f4b9a3c7e: {status: open, ticket: "https://github.com/o/r/issues/3"}',
        'rk-91d7e2b5a0: fixed',
      ].join('\n'),
      'triage.yml',
    );
    const files = renderAll(sampleKb(), { triage });
    const utils = get(files, 'reports/neutron/agent/linux/utils.py.md')!;
    // False positive: gone from the findings, listed in the appendix (report, index, site), no ticket.
    const findingsPart = utils.slice(utils.indexOf('## Findings'), utils.indexOf('## Appendix'));
    expect(findingsPart).not.toContain('Command injection via');
    expect(utils.slice(utils.indexOf('## Appendix: false positives'))).toContain('Command injection via \\`execute\\` (`rk-7c1e0a42d9`): cmd is built from constants only');
    expect(get(files, 'index.md')).toContain('## Appendix: false positives');
    expect(get(files, 'site/index.md')).toContain('## Appendix: false positives');
    const tickets = ticketsOf(files).map((t) => t.fingerprint);
    expect(tickets).not.toContain('rk-7c1e0a42d9');
    // Accepted: marked, ticket linked, no new ticket.
    const netlink = get(files, 'reports/neutron/tests/functional/agent/linux/test_netlink_lib.py.md')!;
    expect(netlink).toContain('> **Accepted risk.** functional tests run as root by design [Ticket](https://jira.example.com/browse/SEC-7)');
    expect(tickets).not.toContain('rk-5e8c2d7a61');
    // Open with a ticket: still ticketed, carrying the URL; linked in reports.
    expect(ticketsOf(files).find((t) => t.fingerprint === 'rk-0f4b9a3c7e')!.ticket).toBe('https://github.com/o/r/issues/3');
    expect(netlink).toContain('> **Triage: open.** [Ticket](https://github.com/o/r/issues/3)');
    expect(netlink).toContain('> **Triage: fixed.**');
    // HTML marks them too; the false positive is not a finding there either.
    const html = get(files, 'html/subjects/neutron-agent-linux-utils-py.html')!;
    expect(html).not.toContain('id="f-rk-7c1e0a42d9"');
    expect(get(files, 'html/subjects/neutron-tests-functional-agent-linux-test-netlink-lib-py.html')).toMatch(/class="finding sev-medium accepted"/);
  });
});

describe('tickets remembered across runs', () => {
  /** A stored memo that counts the tickets it had to render. */
  const counting = (store: StoredMemo) => {
    const memo: Memo = { of: (kind, key, compute) => store.of(kind, key, () => (counter.subjects++, compute())) };
    const counter = { subjects: 0, memo, store };
    return counter;
  };
  const contents = (files: RenderedFile[]) => new Map(files.filter((f) => f.path.startsWith('tickets/')).map((f) => [f.path, f.content]));

  it('renders again only the tickets of subjects that changed, giving what a run from nothing gives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'review-kb-ticket-memo-'));
    try {
      const kb = sampleKb();
      const first = counting(await StoredMemo.open(dir, 'build'));
      const fromNothing = renderAll(kb, { buildId: 'b', memo: first.memo });
      const subjectsWithTickets = new Set(ticketsOf(fromNothing).map((t) => t.subject)).size;
      expect(first.subjects).toBe(subjectsWithTickets);
      await first.store.flush();

      const again = counting(await StoredMemo.open(dir, 'build'));
      expect(contents(renderAll(kb, { buildId: 'b', memo: again.memo }))).toEqual(contents(fromNothing));
      expect(again.subjects).toBe(0);

      // One finding rated higher: only its subject's tickets are rendered again, and they say so.
      const changed = sampleKb();
      const f = changed.subjects.flatMap((s) => s.findings).find((x) => x.id === 'rk-5e8c2d7a61')!;
      f.severity = 'critical';
      const third = counting(await StoredMemo.open(dir, 'build'));
      const after = contents(renderAll(changed, { buildId: 'b', memo: third.memo }));
      expect(third.subjects).toBe(1);
      expect(after).toEqual(contents(renderAll(changed, {})));
      expect(after.get('tickets/tickets.json')).toContain('[critical]');
      // Other stances are other tickets.
      const stances = counting(await StoredMemo.open(dir, 'build'));
      const wider = ticketsOf(renderAll(kb, { buildId: 'b', memo: stances.memo, ticketStances: ['concern', 'generic'] }));
      expect(wider.length).toBeGreaterThan(ticketsOf(fromNothing).length);
      expect(stances.subjects).toBe(new Set(wider.map((t) => t.subject)).size);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('tickets at repository scale', () => {
  /** The sample KB with its concerns copied into `copies` subjects: over a thousand tickets. */
  const manyTickets = (copies: number): KB => {
    const kb = sampleKb();
    const [template] = kb.subjects.filter((s) => s.findings.some((f) => f.stance === 'concern'));
    kb.subjects = Array.from({ length: copies }, (_, n) => ({
      ...template!,
      id: `${template!.id}-${n}`,
      path: `copy/${n}/${template!.path}`,
      findings: template!.findings.map((f) => ({ ...f, id: `${f.id}-${n}`, theme: null })),
    }));
    kb.themes = [];
    return kb;
  };

  it('writes tickets.json and jira.csv in pieces that join into the same files as whole', () => {
    const files = renderAll(manyTickets(400), {});
    const json = get(files, 'tickets/tickets.json')!;
    const tickets = JSON.parse(json) as Ticket[];
    // More tickets than one piece holds: the seams between pieces are inside both files.
    expect(tickets.length).toBeGreaterThan(600);
    expect(json).toBe(`${JSON.stringify(tickets, null, 2)}\n`);
    const csvText = get(files, 'tickets/jira.csv')!;
    const rows = parseCsv(csvText) as string[][];
    expect(rows.map((r) => r.at(-1))).toEqual(['Fingerprint', ...tickets.map((t) => t.fingerprint)]);
    expect(csvText).toBe(stringifyCsv(rows, { record_delimiter: 'unix' }));
  });

  it('gives the same files with the tickets waiting in a file, as the CLI keeps them at scale', async () => {
    const kb = manyTickets(400);
    const dir = await mkdtemp(join(tmpdir(), 'review-kb-shelf-'));
    const shelf = Spill.create(dir);
    try {
      const ticketFiles = (files: RenderedFile[]) => files.filter((f) => f.path.startsWith('tickets/'));
      const fromFile = ticketFiles(renderAll(kb, { ticketShelf: shelf }));
      expect(fromFile.length).toBeGreaterThan(600);
      expect(fromFile).toEqual(ticketFiles(renderAll(kb, {})));
      const [made] = ticketsOf(fromFile);
      expect(JSON.parse(shelf.read(made!.fingerprint))).toEqual(made);
    } finally {
      shelf.remove();
      await rm(dir, { recursive: true });
    }
  });
});
