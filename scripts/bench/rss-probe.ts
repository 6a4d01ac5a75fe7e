// Preloaded into a measured process (`node --import`): on exit, writes its peak RSS (bytes) to $REVIEW_KB_RSS_FILE.
import { writeFileSync } from 'node:fs';

const target = process.env.REVIEW_KB_RSS_FILE;
if (target) {
  // maxRSS covers the whole process, worker threads included (they share it).
  process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));
}
