// Markdown → mdast for the renderers, with markdown-it (CommonMark, GFM tables and strikethrough): ~15× faster than remark-parse.
import MarkdownIt, { type Token } from 'markdown-it';
import type { Blockquote, Code, List, ListItem, Paragraph, Parent, PhrasingContent, Root, RootContent, Table, TableCell, TableRow, Text } from 'mdast';

/**
 * Render parses every excerpt and every HTML page it writes, so its parser sets the cost of
 * rendering: remark-parse runs below 1 MB/s on audit reports, as slow as the whole analysis.
 * markdown-it parses the same text into an equivalent tree at over 10 MB/s; the tree then goes
 * through the same sanitizers (excerpt.ts, rehype-sanitize) as a remark tree would. Raw HTML is
 * tokenized (so an HTML block stays one block) and kept as `html` nodes for the caller to drop or
 * show as text. No linkify (it was a quarter of the parse): bare URLs in review text are turned
 * into explicit links when escaped (escape.ts), so both the excerpts and the pages we generate
 * carry every link explicitly.
 */
const parser = new MarkdownIt({ html: true, linkify: false });
// Its `normalize` rule rewrites every line ending of the text (a fifth of the parse); parseMarkdown does it only when needed.
parser.core.ruler.disable('normalize');
// URLs stay as written, as in a remark tree: mdast-util-to-hast percent-encodes them, escape.ts checks them.
parser.normalizeLink = (url: string): string => url;

type Container = Parent & { children: unknown[] };

const ALIGN = /text-align:\s*(left|right|center)/;

/** A token attribute as a string (markdown-it types them `string | number`). */
function attr(t: Token, name: string): string | null {
  const v = t.attrGet(name);
  return v === null ? null : String(v);
}

/** Parses markdown into an mdast tree (no positions). */
export function parseMarkdown(markdown: string): Root {
  const root: Root = { type: 'root', children: [] };
  const stack: Container[] = [root];
  const lists: List[] = [];
  let row: TableRow | null = null;
  let table: Table | null = null;
  let inHead = false;
  const top = (): Container => stack[stack.length - 1]!;
  // markdown-it balances its tokens; never pop the root even if it did not.
  const close = (): void => {
    if (stack.length > 1) stack.pop();
  };
  const open = (node: RootContent): void => {
    top().children.push(node);
    stack.push(node as Container);
  };
  const leaf = (node: RootContent): void => {
    top().children.push(node);
  };

  // CommonMark line endings and NUL, as markdown-it's own normalize rule would.
  const text = /[\r\0]/.test(markdown) ? markdown.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD') : markdown;
  for (const t of parser.parse(text, {})) {
    switch (t.type) {
      case 'paragraph_open': {
        // markdown-it hides the paragraphs of tight lists; a shown one inside an item makes its list loose.
        const parent = top();
        if (!t.hidden && parent.type === 'listItem') {
          (parent as ListItem).spread = true;
          const list = lists[lists.length - 1];
          if (list) list.spread = true;
        }
        open({ type: 'paragraph', children: [] } satisfies Paragraph);
        break;
      }
      case 'heading_open':
        open({ type: 'heading', depth: Math.min(6, Math.max(1, Number(t.tag.slice(1)) || 1)) as 1, children: [] });
        break;
      case 'blockquote_open':
        open({ type: 'blockquote', children: [] } satisfies Blockquote);
        break;
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const ordered = t.type === 'ordered_list_open';
        const list: List = { type: 'list', ordered, start: ordered ? Number(attr(t, 'start') ?? 1) : null, spread: false, children: [] };
        lists.push(list);
        open(list);
        break;
      }
      case 'list_item_open':
        open({ type: 'listItem', spread: false, checked: null, children: [] } satisfies ListItem);
        break;
      case 'table_open':
        table = { type: 'table', align: [], children: [] };
        open(table);
        break;
      case 'thead_open':
        inHead = true;
        break;
      case 'thead_close':
        inHead = false;
        break;
      case 'tr_open':
        row = { type: 'tableRow', children: [] };
        open(row);
        break;
      case 'th_open':
      case 'td_open': {
        if (inHead && table) table.align!.push((ALIGN.exec(attr(t, 'style') ?? '')?.[1] as 'left' | 'right' | 'center' | undefined) ?? null);
        open({ type: 'tableCell', children: [] } satisfies TableCell);
        break;
      }
      case 'paragraph_close':
      case 'heading_close':
      case 'blockquote_close':
      case 'list_item_close':
      case 'tr_close':
      case 'th_close':
      case 'td_close':
        close();
        break;
      case 'bullet_list_close':
      case 'ordered_list_close': {
        const list = lists.pop();
        // Items share their list's looseness, as they do in CommonMark.
        if (list) for (const item of list.children) item.spread = list.spread;
        close();
        break;
      }
      case 'table_close':
        table = null;
        row = null;
        close();
        break;
      case 'inline':
        // A loop, not push(...nodes): a paragraph can hold hundreds of thousands of inline nodes.
        for (const node of inline(t.children ?? [])) top().children.push(node);
        break;
      case 'fence': {
        const lang = t.info.trim().split(/\s+/)[0] ?? '';
        leaf({ type: 'code', lang: lang === '' ? null : lang, meta: null, value: t.content.replace(/\n$/, '') } satisfies Code);
        break;
      }
      case 'code_block':
        leaf({ type: 'code', lang: null, meta: null, value: t.content.replace(/\n$/, '') } satisfies Code);
        break;
      case 'hr':
        leaf({ type: 'thematicBreak' });
        break;
      case 'html_block':
        leaf({ type: 'html', value: t.content.replace(/\n+$/, '') });
        break;
      default:
        // tbody_open/close and anything unknown: no node of its own.
        break;
    }
  }
  return root;
}

/** Inline tokens → phrasing nodes; adjacent text (and soft line breaks) merged into one text node, as remark does. */
function inline(tokens: Token[]): PhrasingContent[] {
  const root: PhrasingContent[] = [];
  const stack: PhrasingContent[][] = [root];
  const out = (): PhrasingContent[] => stack[stack.length - 1]!;
  const text = (value: string): void => {
    const list = out();
    const last = list[list.length - 1];
    if (last?.type === 'text') (last as Text).value += value;
    else list.push({ type: 'text', value });
  };
  const open = (node: PhrasingContent & { children: PhrasingContent[] }): void => {
    out().push(node);
    stack.push(node.children);
  };
  for (const t of tokens) {
    switch (t.type) {
      case 'text':
      case 'text_special':
        text(t.content);
        break;
      case 'softbreak':
        text('\n');
        break;
      case 'hardbreak':
        out().push({ type: 'break' });
        break;
      case 'code_inline':
        out().push({ type: 'inlineCode', value: t.content });
        break;
      case 'em_open':
        open({ type: 'emphasis', children: [] });
        break;
      case 'strong_open':
        open({ type: 'strong', children: [] });
        break;
      case 's_open':
        open({ type: 'delete', children: [] });
        break;
      case 'link_open':
        open({ type: 'link', url: attr(t, 'href') ?? '', title: attr(t, 'title'), children: [] });
        break;
      case 'em_close':
      case 'strong_close':
      case 's_close':
      case 'link_close':
        if (stack.length > 1) stack.pop();
        break;
      case 'image':
        out().push({ type: 'image', url: attr(t, 'src') ?? '', title: attr(t, 'title'), alt: t.content });
        break;
      case 'html_inline':
        out().push({ type: 'html', value: t.content });
        break;
      default:
        if (t.content) text(t.content);
        break;
    }
  }
  return root;
}
