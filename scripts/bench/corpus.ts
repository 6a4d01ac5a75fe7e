// Writes a deterministic synthetic corpus of security reviews (every style the parser handles) for the benchmark.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ISSUES, GENERIC, FILLER, MODELS, OPENERS_CONCERN, OPENERS_CLEAN, CLOSERS, type IssueTemplate } from './phrases.js';

/** mulberry32: small, fast, and the same sequence on every platform for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

export type Style = 'bold-items' | 'title-colon' | 'audit' | 'sectioned' | 'plain';
const STYLES: [Style, number][] = [
  ['bold-items', 0.38],
  ['title-colon', 0.2],
  ['sectioned', 0.17],
  ['audit', 0.15],
  ['plain', 0.1],
];

interface Language {
  ext: string;
  dirs: string[];
  names: string[];
  symbol: (rng: Rng) => string;
  fence: string;
}

const VERBS = ['get', 'set', 'create', 'delete', 'update', 'load', 'parse', 'execute', 'handle', 'validate', 'build', 'reduce', 'open', 'read', 'write', 'sync', 'fetch', 'apply', 'flush', 'list'];
const NOUNS = ['port', 'user', 'session', 'token', 'entry', 'position', 'config', 'namespace', 'device', 'route', 'key', 'file', 'request', 'vault', 'balance', 'collateral', 'process', 'command', 'zone', 'record', 'path', 'account', 'price', 'lock'];
const snake = (rng: Rng) => `${pick(rng, VERBS)}_${pick(rng, NOUNS)}${rng() < 0.3 ? `_${pick(rng, NOUNS)}` : ''}`;
const camel = (rng: Rng) => {
  const n = pick(rng, NOUNS);
  return `${pick(rng, VERBS)}${n[0]!.toUpperCase()}${n.slice(1)}`;
};

const LANGUAGES: Language[] = [
  { ext: 'py', dirs: ['neutron/agent/linux', 'neutron/tests/functional', 'nova/compute', 'cinder/volume/drivers', 'keystone/auth', 'swift/common/middleware'], names: ['utils', 'net_helpers', 'manager', 'driver', 'api', 'plugin', 'handlers', 'rpc'], symbol: snake, fence: 'python' },
  { ext: 'sol', dirs: ['contracts/spell', 'contracts/oracle', 'contracts/vault', 'contracts/libraries'], names: ['IchiVaultSpell', 'BlueBerryBank', 'CoreOracle', 'SoftVault', 'WIchiFarm', 'BasicSpell'], symbol: camel, fence: 'solidity' },
  { ext: 'ts', dirs: ['src/server/auth', 'src/api/routes', 'packages/core/src', 'src/lib/storage'], names: ['session', 'router', 'upload', 'middleware', 'client', 'store'], symbol: camel, fence: 'ts' },
  { ext: 'go', dirs: ['pkg/kubelet', 'internal/proxy', 'cmd/agent', 'pkg/registry/core'], names: ['server', 'handler', 'exec', 'config', 'cache'], symbol: camel, fence: 'go' },
];

interface SubjectIssue {
  template: IssueTemplate;
  ids: string[];
  lines: [number, number];
}

interface SubjectPlan {
  path: string;
  lang: Language;
  symbols: string[];
  issues: SubjectIssue[];
}

function planSubject(rng: Rng, index: number): SubjectPlan {
  const lang = pick(rng, LANGUAGES);
  const path = `${pick(rng, lang.dirs)}/${pick(rng, lang.names)}_${index}.${lang.ext}`;
  const symbols = Array.from({ length: int(rng, 6, 12) }, () => lang.symbol(rng));
  const length = int(rng, 120, 900);
  const issues = Array.from({ length: int(rng, 3, 9) }, (): SubjectIssue => {
    const start = int(rng, 10, length - 30);
    return { template: pick(rng, ISSUES), ids: [pick(rng, symbols), pick(rng, symbols)], lines: [start, start + int(rng, 0, 25)] };
  });
  return { path, lang, symbols, issues };
}

/** Fills `{a}`, `{b}`, `{lines}`, `{file}` in a phrase with this issue's facts, varying how lines are cited. */
function fill(rng: Rng, text: string, issue: SubjectIssue, subject: SubjectPlan): string {
  const [s, e] = issue.lines;
  const lines = s === e ? `line ${s}` : pick(rng, [`lines ${s}-${e}`, `lines ${s} to ${e}`, `line ${s}`, `L${s}-L${e}`]);
  return text
    .replaceAll('{a}', `\`${issue.ids[0]}\``)
    .replaceAll('{b}', `\`${issue.ids[1]}\``)
    .replaceAll('{lines}', lines)
    .replaceAll('{file}', subject.path.split('/').pop()!);
}

interface Item {
  title: string;
  risk: string;
  fix: string;
  severity: string;
  issue: SubjectIssue | null;
}

/** One or two different sentences of a list, in random order. */
function twoOf(rng: Rng, list: readonly string[]): string {
  const i = Math.floor(rng() * list.length);
  const j = Math.floor(rng() * list.length);
  return i === j ? list[i]! : `${list[i]!} ${list[j]!}`;
}

function items(rng: Rng, subject: SubjectPlan, count: number): Item[] {
  const out: Item[] = [];
  // Reviews of one file mostly agree: earlier issues of the subject are picked more often.
  const chosen = new Set<number>();
  const generic = new Set<number>();
  for (let i = 0; i < count; i++) {
    if (rng() < 0.2) {
      const gi = Math.floor(rng() * GENERIC.length);
      if (generic.has(gi)) continue;
      generic.add(gi);
      const g = GENERIC[gi]!;
      out.push({ title: pick(rng, g.titles), risk: pick(rng, g.risks), fix: pick(rng, g.fixes), severity: 'low', issue: null });
      continue;
    }
    const k = Math.min(subject.issues.length - 1, Math.floor(Math.pow(rng(), 1.6) * subject.issues.length));
    if (chosen.has(k)) continue;
    chosen.add(k);
    const issue = subject.issues[k]!;
    const t = issue.template;
    out.push({
      title: fill(rng, pick(rng, t.titles), issue, subject),
      risk: fill(rng, twoOf(rng, t.risks), issue, subject),
      fix: fill(rng, pick(rng, t.fixes), issue, subject),
      severity: t.severity,
      issue,
    });
  }
  return out;
}

function filler(rng: Rng, subject: SubjectPlan): string {
  return pick(rng, FILLER).replaceAll('{a}', `\`${pick(rng, subject.symbols)}\``);
}

/** Pads a paragraph with generic sentences until the review reaches its target size. */
function pad(rng: Rng, subject: SubjectPlan, text: string, budget: number): string {
  let out = text;
  while (out.length < budget) out += ` ${filler(rng, subject)}`;
  return out;
}

function snippet(rng: Rng, subject: SubjectPlan, issue: SubjectIssue | null): string {
  const a = issue?.ids[0] ?? pick(rng, subject.symbols);
  const b = issue?.ids[1] ?? pick(rng, subject.symbols);
  const body = subject.lang.ext === 'py' ? `def ${a}(self, value):\n    result = ${b}(value, run_as_root=True)\n    return result` : `function ${a}(value) {\n    const result = ${b}(value);\n    return result;\n}`;
  return `\`\`\`${subject.lang.fence}\n${body}\n\`\`\``;
}

function frontMatter(subject: SubjectPlan, reviewer: string, date: string): string {
  return `---\nfile: ${subject.path}\nreviewer: ${reviewer}\ndate: ${date}\n---\n\n`;
}

function render(rng: Rng, style: Style, subject: SubjectPlan, reviewer: string, size: number): string {
  const date = `2024-${String(int(rng, 1, 12)).padStart(2, '0')}-${String(int(rng, 1, 28)).padStart(2, '0')}`;
  const head = style === 'audit' ? '' : frontMatter(subject, reviewer, date);
  if (style === 'plain') {
    const clean = rng() < 0.6;
    const paras = [pick(rng, clean ? OPENERS_CLEAN : OPENERS_CONCERN)];
    for (const item of items(rng, subject, int(rng, 1, 3))) paras.push(`${item.risk} ${item.fix}`);
    const per = Math.max(200, (size - 300) / paras.length);
    return head + paras.map((p) => pad(rng, subject, p, per)).join('\n\n') + `\n\n${pick(rng, CLOSERS)}\n`;
  }
  const list = items(rng, subject, int(rng, 2, 9));
  const per = Math.max(150, (size - 500) / Math.max(1, list.length));
  if (style === 'bold-items') {
    const bullets = rng() < 0.5;
    const body = list
      .map((it, i) =>
        bullets
          ? `${i + 1}. **${it.title}**\n   - **Risk**: ${pad(rng, subject, it.risk, per * 0.6)}\n   - **Solution**: ${it.fix}`
          : `${i + 1}. **${it.title}**: ${pad(rng, subject, `${it.risk} ${it.fix}`, per)}`,
      )
      .join('\n\n');
    return `${head}${pick(rng, OPENERS_CONCERN)}\n\n${body}\n\n${pick(rng, CLOSERS)}\n`;
  }
  if (style === 'title-colon') {
    const body = list.map((it, i) => `${i + 1}. ${it.title}:\n${pad(rng, subject, `${it.risk} ${it.fix}`, per)}`).join('\n');
    return `${head} ${pick(rng, OPENERS_CONCERN)}\n${body}\n${pick(rng, CLOSERS)}\n`;
  }
  if (style === 'sectioned') {
    const body = list
      .map(
        (it, i) =>
          `### ${i + 1}. ${it.title}\n\n**Severity**: ${it.severity[0]!.toUpperCase()}${it.severity.slice(1)}\n\n${pad(rng, subject, it.risk, per * 0.7)}\n\n**Recommendation**: ${it.fix}` +
          (rng() < 0.3 ? `\n\n${snippet(rng, subject, it.issue)}` : ''),
      )
      .join('\n\n');
    const table = rng() < 0.4 ? `\n\n| # | Issue | Severity |\n|---|---|---|\n${list.map((it, i) => `| ${i + 1} | ${it.title.replaceAll('|', '/')} | ${it.severity} |`).join('\n')}` : '';
    return `${head}## Summary\n\n${pick(rng, OPENERS_CONCERN)}${table}\n\n## Findings\n\n${body}\n\n## Conclusion\n\n${pick(rng, CLOSERS)}\n`;
  }
  // audit: one finding per submission, handle and severity first, links to file#Lx-Ly (subject via the manifest)
  const it = list[0]!;
  const [s, e] = it.issue?.lines ?? [int(rng, 10, 200), int(rng, 200, 260)];
  const handle = `${pick(rng, ['0x', 'sec', 'audit', 'white'])}${pick(rng, NOUNS)}${int(rng, 1, 999)}`;
  const link = `https://github.com/example-audit/${subject.path.split('/')[0]}/blob/main/${subject.path}#L${s}-L${e}`;
  return (
    `${handle}\n\n${it.severity === 'low' ? 'medium' : it.severity}\n\n# ${it.title}\n\n## Summary\n${it.risk}\n\n` +
    `## Vulnerability Detail\n${pad(rng, subject, it.risk, Math.max(300, size - 1200))}\n\n## Impact\n${pick(rng, FILLER).replaceAll('{a}', `\`${it.issue?.ids[0] ?? subject.symbols[0]}\``)}\n\n` +
    `## Code Snippet\n${link}\n${snippet(rng, subject, it.issue)}\n\n## Tool used\n\nManual Review\n\n## Recommendation\n${it.fix}\n`
  );
}

export interface CorpusOptions {
  reviews: number;
  seed?: number;
  /** Average reviews of the same file (models × prompts). */
  perSubject?: number;
}

export interface Corpus {
  dir: string;
  files: string[];
  manifest: string;
  bytes: number;
  styles: Record<Style, number>;
}

/** Writes `reviews` review files under `dir` (folders of at most 500 files) and a manifest for the audit-style ones. */
export async function writeCorpus(dir: string, options: CorpusOptions): Promise<Corpus> {
  const rng = prng(options.seed ?? 20240611);
  const perSubject = options.perSubject ?? 7;
  const subjectCount = Math.max(1, Math.round(options.reviews / perSubject));
  const subjects = Array.from({ length: subjectCount }, (_, i) => planSubject(rng, i));
  const files: string[] = [];
  const manifest: { review: string; subject: string; reviewer: string }[] = [];
  const styles = Object.fromEntries(STYLES.map(([s]) => [s, 0])) as Record<Style, number>;
  let bytes = 0;
  const reviewsDir = join(dir, 'reviews');
  for (let i = 0; i < options.reviews; i++) {
    const subject = subjects[Math.floor(rng() * subjects.length)]!;
    let r = rng();
    const style = STYLES.find(([, w]) => (r -= w) < 0)?.[0] ?? 'plain';
    styles[style]++;
    // Sizes 1–8 KB, most around 2–4 KB, as LLM answers are.
    const size = Math.min(8000, Math.max(1000, Math.round(1000 * Math.exp(rng() * 1.6 + 0.4))));
    const reviewer = style === 'audit' ? 'auditor' : pick(rng, MODELS);
    let text = render(rng, style, subject, reviewer, size);
    if (text.length > 8192) text = text.slice(0, text.lastIndexOf('\n\n', 8000)) + '\n';
    const folder = join(reviewsDir, String(Math.floor(i / 500)).padStart(3, '0'));
    if (i % 500 === 0) await mkdir(folder, { recursive: true });
    const name = `${String(i).padStart(6, '0')}_${subject.path.split('/').pop()!.replace(/\W/g, '_')}.md`;
    const file = join(folder, name);
    await writeFile(file, text);
    files.push(file);
    bytes += Buffer.byteLength(text);
    if (style === 'audit') manifest.push({ review: file.slice(dir.length + 1), subject: subject.path, reviewer });
  }
  const manifestFile = join(dir, 'manifest.json');
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 1)}\n`);
  return { dir, files, manifest: manifestFile, bytes, styles };
}

/** Changes every `every`-th review a little (a reworded sentence, a shifted line): what a re-run after edits sees. */
export async function mutateCorpus(corpus: Corpus, every: number, round: number): Promise<number> {
  let changed = 0;
  for (let i = round % every; i < corpus.files.length; i += every) {
    const file = corpus.files[i]!;
    const text = await readFile(file, 'utf8');
    await writeFile(file, `${text.trimEnd()}\n\nRe-checked (revision ${round}): the points above still apply; see also line ${100 + i}.\n`);
    changed++;
  }
  return changed;
}
