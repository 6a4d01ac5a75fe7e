import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAll } from '../../src/render/index.js';
import { FIXTURES, sampleKb } from './helpers.js';
import { ROOT, runCli } from '../helpers/cli.js';

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
    const unknown = mkdtempSync(join(tmpdir(), 'review-kb-tpl-'));
    writeFileSync(join(unknown, 'report.md.hbs'), '# {{shout subject.path}}');
    expect(() => renderAll(sampleKb(), { templatesDir: unknown })).toThrow(/report\.md\.hbs: .*unknown helper shout/);
  });

  it('the README example of a custom per-file report works as shown, through the CLI', () => {
    const template = readFileSync(join(FIXTURES, 'readme-templates', 'report.md.hbs'), 'utf8');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    // The README shows this very file, and this very command.
    expect(readme).toContain(`\`\`\`handlebars\n${template}\`\`\``);
    expect(readme).toContain('review-kb render output/kb.json --templates my-templates --out custom');
    const dir = mkdtempSync(join(tmpdir(), 'review-kb-readme-'));
    mkdirSync(join(dir, 'output'));
    mkdirSync(join(dir, 'my-templates'));
    copyFileSync(join(FIXTURES, 'kb.sample.json'), join(dir, 'output', 'kb.json'));
    writeFileSync(join(dir, 'my-templates', 'report.md.hbs'), template);
    const run = runCli(['render', 'output/kb.json', '--templates', 'my-templates', '--out', 'custom'], dir);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'custom', 'reports', 'neutron', 'agent', 'linux', 'utils.py.md'), 'utf8')).toBe(
      [
        '# neutron/agent/linux/utils.py',
        '',
        '2 findings from 2 reviews · [overview](../../../../index.md)',
        '',
        '## 1. Command injection via \\`execute\\`',
        '',
        '**high** · Command injection · L83-L96, L101-L110, L113-L157 · stated by 2 of 2',
        '',
        '> `execute()` builds the command from `cmd` and passes it to `subprocess`; with `run_as_root` the command runs through the root helper. If any element of `cmd` comes from a request, this is a shell injection.',
        '',
        '> **Use of Shell Commands and Subprocesses (Line 83-96, 101-110):**',
        '>',
        '> -   **Risk**: The use of shell commands and subprocesses can lead to shell injection attacks if the inputs are not properly sanitized or validated.',
        '> -   **Solution**: Ensure all external inputs are properly sanitized and validated. Avoid `shell=True` in subprocesses to reduce risk.',
        '',
        '## 2. File System Operations',
        '',
        '**medium** · Path traversal · L241-L248 · stated by 1 of 2',
        '',
        '> **File System Operations (Line 241-248):**',
        '>',
        '> -   **Risk**: Operations with file systems (like reading, writing, or deleting files) can be exploited if an attacker has control over the filenames or paths used.',
        '',
      ].join('\n'),
    );
    // Only the report template was replaced: the site page of the same subject is the default one.
    expect(readFileSync(join(dir, 'custom', 'site', 'subjects', 'neutron-agent-linux-utils-py.md'), 'utf8')).toContain('**Corroboration:**');
  });
});
