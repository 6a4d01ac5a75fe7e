import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../../src/pipeline.js';
import { HtmlConverter, renderAll, renderEach } from '../../src/render/index.js';
import { markdownToSafeHtml } from '../../src/render/safe-html.js';
import type { KB } from '../../src/model.js';
import { sampleKb } from './helpers.js';

const converters: HtmlConverter[] = [];
afterAll(async () => {
  await Promise.all(converters.map((c) => c.close()));
});
function converter(): HtmlConverter {
  const c = new HtmlConverter();
  converters.push(c);
  return c;
}

/** Every output as writeOutputs takes it: each page made when it comes (its subject's quotes still at hand), awaited after. */
async function renderedWith(kb: KB, html: HtmlConverter): Promise<{ files: Map<string, string>; finishedElsewhere: string[] }> {
  const made: [string, string | Promise<string>][] = [];
  for (const f of renderEach(kb, { convertHtml: (markdowns) => html.convert(markdowns) })) {
    made.push([f.path, 'render' in f ? f.render() : 'pieces' in f ? [...f.pieces()].join('') : f.content]);
  }
  const finishedElsewhere = made.filter(([, content]) => content instanceof Promise).map(([path]) => path);
  return { files: new Map(await Promise.all(made.map(async ([path, content]) => [path, await content] as [string, string]))), finishedElsewhere };
}

describe('HTML pages finished in a worker', () => {
  it('are byte for byte the pages made on the main thread, for the sample KB and the seeds', async () => {
    const seeds = (await build({ inputs: ['seeds'], manifest: 'seeds/manifest.csv', jobs: 1, cacheDir: null })).kb;
    for (const kb of [sampleKb(), seeds]) {
      const here = new Map(renderAll(kb).map((f) => [f.path, f.content]));
      const html = converter();
      const { files, finishedElsewhere } = await renderedWith(kb, html);
      // Only the subjects' HTML pages go to the worker; every other file is as it was.
      expect(finishedElsewhere.sort()).toEqual([...here.keys()].filter((p) => p.startsWith('html/subjects/')).sort());
      expect(finishedElsewhere.length).toBeGreaterThan(0);
      expect(files).toEqual(here);
      expect(html.answered).toEqual({ inWorker: finishedElsewhere.length, here: 0 });
    }
  });

  it('converts what the worker had, and everything after, on the main thread once the worker is gone', async () => {
    const html = converter();
    const pieces = ['# Title\n\nSome *text* with `code`.', '| a | b |\n| - | - |\n| 1 | 2 |', '<script>alert(1)</script>\n\n[link](javascript:alert(1))'];
    const expected = pieces.map(markdownToSafeHtml);
    expect(await html.convert(pieces)).toEqual(expected);
    expect(html.answered).toEqual({ inWorker: 1, here: 0 });
    // Requests still out when the worker stops are not lost.
    const out = [html.convert(pieces), html.convert(pieces.slice(1))];
    await html.close();
    expect(await Promise.all(out)).toEqual([expected, expected.slice(1)]);
    expect(await html.convert(pieces)).toEqual(expected);
    expect(html.answered.inWorker + html.answered.here).toBe(4);
    expect(html.answered.here).toBeGreaterThan(0);
  });
});
