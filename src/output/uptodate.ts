// The up-to-date check: a build whose inputs, options and tool are what the last run into the same folder had,
// and whose files are still there as written, has nothing to do (as make and `tsc --build` skip current targets).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discover } from '../ingest/discover.js';
import { GENERATOR } from '../version.js';
import { intactFiles, readMarker } from './outdir.js';
import { sha256, type FileDigest } from '../cache/store.js';

/** What a finished build recorded in the marker, so that an identical build can say the same without redoing it. */
export interface RunRecord {
  /** Digest of everything the outputs depend on (see buildStamp). */
  stamp: string;
  exitCode: number;
  /** The run's diagnostics, as printed on stderr. */
  diagnostics: string[];
  /** The lines printed after the summary line: what was skipped and why, other errors. */
  ending: string[];
  /** The `--json` summary. */
  json: Record<string, unknown>;
}

/** Everything a build's outputs depend on besides the tool: inputs as given, the files they name, the options. */
export interface StampInputs {
  inputs: string[];
  /** Files whose contents matter (manifest, taxonomy, triage, previous kb.json); null entries are skipped. */
  files: (string | null | undefined)[];
  /** A folder of templates, whose every file matters. */
  templates?: string | null;
  /** Options that change outputs (scope, size limit, link base, …). */
  options: Record<string, unknown>;
}

/** A build's stamp, and the digest of every input file it read (cache lookups use them instead of reading the files again). */
export interface BuildStamp {
  stamp: string;
  digests: Map<string, FileDigest>;
}

/**
 * A digest of the inputs' contents, the options and the tool itself. Reading and hashing every review
 * costs a few percent of parsing it; the tool is identified by its version and the size and time of
 * each of its files, so an edited template or rebuilt analyser is never mistaken for the last one.
 */
export async function buildStamp(s: StampInputs): Promise<BuildStamp> {
  const hash = createHash('sha256');
  const add = (...parts: (string | number)[]): void => {
    for (const p of parts) hash.update(`${p}\u0000`);
  };
  add(await toolDigest(), JSON.stringify(s.options), JSON.stringify(s.inputs));
  const found = await discover(s.inputs, s.files.filter((f): f is string => typeof f === 'string'));
  for (const p of [...found.problems, ...found.errors, ...found.warnings]) add(p.file, p.message);
  const files = [...found.sources.map((x) => x.file), ...s.files.filter((f): f is string => typeof f === 'string')];
  if (s.templates) files.push(...(await listFiles(s.templates)));
  const digests = new Map<string, FileDigest>();
  for (const file of files) {
    const d = fileDigest(file);
    add(file, stateOf(d));
    if (typeof d !== 'string') digests.set(file, d);
  }
  return { stamp: hash.digest('hex'), digests };
}

/** The last run's record when the folder still holds exactly what that run wrote and its stamp is `stamp`; else null. */
export async function currentRun(out: string, stamp: string): Promise<RunRecord | null> {
  const { run, written } = await readMarker(out);
  if (!run || run.stamp !== stamp || written.size === 0) return null;
  return intactFiles(out, written).size === written.size ? run : null;
}

/**
 * A file's digest and size; a string saying why it could not be read otherwise. Read on this thread:
 * the build waits for every digest anyway, and the thread pool's round trip per file made reading
 * 10,000 reviews take 3–4× as long, even 64 at a time (0.49–0.74 s against 0.15–0.21 s).
 */
function fileDigest(file: string): FileDigest | string {
  try {
    const bytes = readFileSync(file);
    return { sha256: sha256(bytes), size: bytes.length };
  } catch (error) {
    // An unreadable file is part of the state too: the build reports it, and so must the next one.
    return `unreadable:${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}

/** What a stamp records of a file: its digest, or why it could not be read. */
const stateOf = (d: FileDigest | string): string => (typeof d === 'string' ? d : d.sha256);

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).sort();
}

/**
 * Identifies this build of review-kb: its version and the path, size and time of each of its files, so
 * that anything remembered from a run by another build (an edited template, a rebuilt renderer) is not reused.
 */
export function toolDigest(): Promise<string> {
  // Asked for by the up-to-date check, the rendering memo and page keys: its files are listed once a run.
  return (digestOfTool ??= (async () => {
    const hash = createHash('sha256').update(GENERATOR.version);
    for (const [path, size, mtime] of await toolFiles()) hash.update(`\u0000${path}\u0000${size}\u0000${mtime}`);
    return hash.digest('hex');
  })());
}
let digestOfTool: Promise<string> | undefined;

/** Identifies what renders pages: this build of review-kb and the user's templates (their contents), for page keys. */
export async function renderId(templatesDir?: string | null): Promise<string> {
  const hash = createHash('sha256').update(await toolDigest());
  if (templatesDir) {
    for (const file of await listFiles(templatesDir)) {
      hash.update(`\u0000${file}\u0000${stateOf(fileDigest(file))}`);
    }
  }
  return hash.digest('hex');
}

/** The tool's own files (compiled code or sources, templates, taxonomy, schema): path, size, modification time. */
async function toolFiles(): Promise<[string, number, number][]> {
  const code = fileURLToPath(new URL('..', import.meta.url));
  const root = join(code, import.meta.url.endsWith('.ts') ? '..' : '../..');
  const files = [...(await listFiles(code)), ...(await listFiles(join(root, 'templates'))), ...(await listFiles(join(root, 'taxonomy'))), ...(await listFiles(join(root, 'schema')))];
  return Promise.all(files.map(async (f) => {
    const s = await stat(f);
    return [f, s.size, s.mtimeMs] as [string, number, number];
  }));
}
