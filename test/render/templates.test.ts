import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../../src/render/index.js';
import { FIXTURES, sampleKb } from './helpers.js';

const report = (files: { path: string; content: string }[], path: string) => files.find((f) => f.path === path)!.content;

describe('template overrides', () => {
  it('replaces any template by file name, partials included, and leaves the others alone', () => {
    const files = renderAll(sampleKb(), { templatesDir: join(FIXTURES, 'templates') });
    expect(report(files, 'reports/neutron/agent/linux/utils.py.md')).toBe(
      '# neutron/agent/linux/utils.py — 2 findings\n\n- [high] Command injection via \\`execute\\` (`rk-7c1e0a42d9`)\n- [medium] File System Operations (`rk-2b9f51e0c3`)\n',
    );
    // The overridden partial reaches every template that uses it (site pages here), the default index is kept.
    expect(report(files, 'site/subjects/neutron-agent-linux-utils-py.md')).toContain('#### CUSTOM Command injection via \\`execute\\`');
    expect(report(files, 'index.md')).toBe(report(renderAll(sampleKb(), {}), 'index.md'));
  });

  it('never evaluates review text as a template', () => {
    const kb = sampleKb();
    kb.subjects[0]!.findings[0]!.title = '{{#each this}}{{@key}}{{/each}} {{> finding}} {{lookup . "constructor"}}';
    const files = renderAll(kb, {});
    const text = report(files, 'reports/neutron/agent/linux/utils.py.md');
    const z = '\u200b';
    expect(text).toContain(`### 1. \\{${z}\\{\\#each this\\}${z}\\}${z}\\{${z}\\{@key\\}${z}\\}${z}\\{${z}\\{/each\\}${z}\\} \\{${z}\\{&gt; finding\\}${z}\\}`);
    expect(text).not.toMatch(/\{\\?\{/);
    expect(text).not.toContain('constructor"}}');
    const tickets = JSON.parse(report(files, 'tickets/tickets.json')) as { title: string }[];
    expect(tickets.some((t) => t.title.includes('{{#each this}}{{@key}}{{/each}} {{> finding}}'))).toBe(true);
  });

  it('names the template file when a template is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-kb-tpl-'));
    writeFileSync(join(dir, 'index.md.hbs'), '{{#each subjects}}unclosed');
    expect(() => renderAll(sampleKb(), { templatesDir: dir })).toThrow(/index\.md\.hbs: Parse error/);
  });
});
