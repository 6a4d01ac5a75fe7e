// Worker thread: markdown → sanitized HTML for the HTML subject pages, beside the main thread (see html-converter.ts).
import { parentPort } from 'node:worker_threads';
import type { HtmlReply, HtmlRequest } from './html-converter.js';
import { markdownToSafeHtml } from './safe-html.js';

parentPort!.on('message', ({ id, markdowns }: HtmlRequest) => {
  const reply: HtmlReply = { id, htmls: markdowns.map(markdownToSafeHtml) };
  parentPort!.postMessage(reply);
});
