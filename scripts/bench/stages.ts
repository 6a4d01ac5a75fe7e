// Times each stage of one build from the cache in-process (analysis, subjects + consolidation, rendering every page, kb.json), for routing hot spots.
import { build } from '../../src/pipeline.js';
import { serializeKb } from '../../src/kb.js';
import { renderEach } from '../../src/render/index.js';
import { contentOf } from '../../src/render/files.js';

export interface StageTimes {
  seconds: Record<string, number>;
  maxRss: number;
}

export async function stageTimes(reviewsDir: string, manifest: string, cacheDir: string, jobs?: number): Promise<StageTimes> {
  const now = () => performance.now() / 1000;
  const started = now();
  let analysed = started;
  // build() runs the analysis first and reports progress from it: the last tick marks its end.
  const { kb } = await build({
    inputs: [reviewsDir],
    manifest,
    cacheDir,
    jobs,
    onProgress: (done, total) => {
      if (done === total) analysed = now();
    },
  });
  const built = now();
  // Rendered as the CLI does, one file at a time (none kept).
  let rendered = 0;
  for (const file of renderEach(kb)) {
    contentOf(file);
    rendered++;
  }
  const renderedAt = now();
  let serialized = 'ok';
  try {
    serializeKb(kb);
  } catch (error) {
    serialized = (error as Error).message;
  }
  const done = now();
  return {
    seconds: {
      'ingest + analysis (cache)': analysed - started,
      'subjects + consolidate': built - analysed,
      [`render (${rendered} files)`]: renderedAt - built,
      [`serialize kb.json${serialized === 'ok' ? '' : ` (${serialized})`}`]: done - renderedAt,
    },
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
}
