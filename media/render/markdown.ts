/**
 * The model's answer text of one step, drawn as markdown incrementally: blocks that can no longer
 * change (before a blank line outside a code fence) are rendered once; only the tail is redrawn.
 * Redrawing the whole answer on every chunk made long answers quadratic and froze the webview.
 */
import MarkdownIt from 'markdown-it';
import type { TextBlock } from '../view/model';
import { el } from './dom';

// html: false — model output is text, never markup; links are limited to safe schemes by markdown-it.
const markdown = new MarkdownIt({ html: false, linkify: true });

export class MarkdownText {
  readonly node = el('div', 'assistant');
  #tail = el('div', 'tail');
  /** Characters of the text already rendered for good. */
  #settled = 0;
  #resets = 0;

  constructor() {
    this.node.append(this.#tail);
  }

  draw(block: TextBlock): void {
    if (block.resets !== this.#resets) {
      // A retry voided the text: start over.
      this.#resets = block.resets;
      this.#settled = 0;
      this.#tail.replaceChildren();
      this.node.replaceChildren(this.#tail);
    }
    const boundary = settledBoundary(block.text, this.#settled);
    if (boundary > this.#settled) {
      const settled = el('div', 'settled');
      settled.innerHTML = markdown.render(block.text.slice(this.#settled, boundary));
      this.node.insertBefore(settled, this.#tail);
      this.#settled = boundary;
    }
    this.#tail.innerHTML = markdown.render(block.text.slice(this.#settled));
  }
}

/** The end of the last blank line after `from` that is outside a code fence, or `from`. */
function settledBoundary(text: string, from: number): number {
  let boundary = from;
  let inFence = false;
  let lineStart = from;
  while (lineStart < text.length) {
    const lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) break; // an unfinished line may still grow
    const line = text.slice(lineStart, lineEnd);
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && line.trim() === '' && lineStart > from) boundary = lineEnd + 1;
    lineStart = lineEnd + 1;
  }
  return boundary;
}
