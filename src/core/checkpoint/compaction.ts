/**
 * Compaction: most of a journal is streamed text, one event per token. A finished model call's
 * chunks are merged into one chunk, and only the last progress event of each step is kept, so a
 * journal grows with the steps of a run, not with its tokens. Folds and transcripts read the same.
 */
import type { RunEvent, RunEventOf } from '../events';

export function compactEvents(events: readonly RunEvent[]): RunEvent[] {
  const out: RunEvent[] = [];
  // Open merge target per run: the chunk event of the model call now streaming.
  const streaming = new Map<string, RunEventOf<'llm_chunk'>>();
  const progressKey = (e: RunEventOf<'progress'>) => `${e.runId}\u0000${e.data.step}`;
  const lastProgress = new Map<string, RunEvent>();
  for (const event of events) if (event.type === 'progress') lastProgress.set(progressKey(event), event);
  for (const event of events) {
    if (event.type === 'llm_chunk') {
      const open = streaming.get(event.runId);
      if (open && open.data.step === event.data.step) {
        open.data = { ...open.data, text: open.data.text + event.data.text };
        continue;
      }
      const copy = { ...event, data: { ...event.data } };
      streaming.set(event.runId, copy);
      out.push(copy);
      continue;
    }
    // A new attempt voids the chunks before it, so they must stay apart from the ones after.
    if (event.type === 'llm_start' || event.type === 'llm_end') streaming.delete(event.runId);
    if (event.type === 'progress' && lastProgress.get(progressKey(event)) !== event) continue;
    out.push(event);
  }
  return out;
}
