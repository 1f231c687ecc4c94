/**
 * Recalled memories in the transcript: a collapsible "Recalled memories" block (what was put into
 * the prompt), the same list inside a `recall` tool call, and the small notes of remember/forget.
 * Memory text is untrusted: it goes in as text nodes only.
 */
import type { RecalledMemory } from '../../src/core';
import type { Recall } from '../view/model';
import { el } from './dom';

/** The folded block at the top of a run; `update` redraws it when a resume recalls again. */
export function recalledBlock(): { node: HTMLElement; update(recall: Recall): void } {
  const details = el('details', 'recalled-memories');
  const summary = el('summary');
  const body = el('div', 'body');
  details.append(summary, body);
  return {
    node: details,
    update: (recall) => {
      summary.replaceChildren(`Recalled memories (${recall.memories.length})`, ...fallbackMark(recall));
      body.replaceChildren(recalledList(recall));
    },
  };
}

/** The memories a recall found, each with its type, date and score; "none" when it found nothing. */
export function recalledList(recall: Recall): HTMLElement {
  if (recall.memories.length === 0) return el('p', 'recalled-none', 'No memory matched.');
  const list = el('ul', 'recalled-list');
  for (const memory of recall.memories) list.append(memoryItem(memory));
  return list;
}

function memoryItem(memory: RecalledMemory): HTMLElement {
  const item = el('li', 'recalled-memory');
  item.dataset.id = memory.id;
  const meta = el('span', 'meta', `${memory.memoryType} · ${new Date(memory.timestamp).toISOString().slice(0, 10)} · score ${memory.score.toFixed(2)}${memory.scope === 'global' ? ' · global' : ''}`);
  item.append(meta, el('span', 'content', memory.content));
  return item;
}

/** The hashing fallback matches words, not meaning: said wherever its results show. */
function fallbackMark(recall: Recall): HTMLElement[] {
  if (!recall.fallback) return [];
  const mark = el('span', 'fallback', ' · keyword fallback, no language model');
  mark.title = `Ranked by ${recall.embedder}: words are matched, not meaning`;
  return [mark];
}
