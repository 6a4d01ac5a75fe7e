// The steps of the subject pages that the render worker can take over: pure, text in, the same result on either thread.
import { quoteExcerptBoth } from './excerpt.js';
import { markdownToSafeHtml } from './safe-html.js';

export const RENDER_TASKS = {
  /** A page's markdown pieces → sanitized HTML (the HTML subject pages). */
  html: markdownToSafeHtml,
  /** Excerpts → their quotes, markdown and HTML (every subject page and ticket quotes its sources). */
  quotes: quoteExcerptBoth,
};

export type RenderTask = keyof typeof RENDER_TASKS;
export type RenderResult<T extends RenderTask> = ReturnType<(typeof RENDER_TASKS)[T]>;

export interface RenderRequest {
  id: number;
  task: RenderTask;
  texts: string[];
}

export interface RenderReply {
  id: number;
  results: RenderResult<RenderTask>[];
}

/** Every text of a request through its task. */
export function runTask<T extends RenderTask>(task: T, texts: readonly string[]): RenderResult<T>[] {
  const step = RENDER_TASKS[task] as (text: string) => RenderResult<T>;
  return texts.map((text) => step(text));
}
