/**
 * What may become a memory: not empty, valid Unicode, not enormous. Long text is cut into chunks at
 * paragraph, sentence or word boundaries, so each chunk embeds well and a search finds the right part.
 */
import { MemoryError } from './errors';

/** Characters per chunk: about 500 tokens, inside what small embedding models read (512). */
export const CHUNK_CHARS = 2000;
/** Beyond this a text is refused rather than cut into hundreds of memories. */
export const MAX_CONTENT_CHARS = 200_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The trimmed content, or a MemoryError naming what is wrong (`where` says which input). */
export function checkedContent(content: unknown, where: string): string {
  if (typeof content !== 'string') throw new MemoryError(`${where}: content must be text, got ${content === null ? 'null' : typeof content}`);
  const text = content.trim();
  if (text.length === 0) throw new MemoryError(`${where}: content is empty`);
  const bad = LONE_SURROGATE.exec(text);
  if (bad) throw new MemoryError(`${where}: content is not valid Unicode (a lone surrogate at character ${bad.index})`);
  if (text.length > MAX_CONTENT_CHARS) {
    throw new MemoryError(`${where}: content is ${text.length.toLocaleString('en')} characters; the limit is ${MAX_CONTENT_CHARS.toLocaleString('en')} (split it, or keep it as a file)`);
  }
  return text;
}

/** Chunks of at most `size` characters, broken at the last paragraph, sentence or space boundary that fits. */
export function chunkContent(text: string, size = CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > size) {
    const window = rest.slice(0, size);
    const cut = [window.lastIndexOf('\n\n'), window.lastIndexOf('. '), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find((at) => at > size / 2);
    const end = cut === undefined ? size : cut + 1;
    chunks.push(rest.slice(0, end).trim());
    rest = rest.slice(end).trim();
  }
  if (rest) chunks.push(rest);
  return chunks;
}
