/**
 * Compaction: most of a journal is streamed text, one event per token. A finished model call's
 * chunks (answer and thinking alike) are merged into one event of each kind, and only the last
 * progress event of each step is kept, so a journal grows with the steps of a run, not with its
 * tokens. Folds and transcripts read the same.
 */
import type { RunEvent, RunEventOf } from '../events';

type Streamed = RunEventOf<'llm_chunk'> | RunEventOf<'llm_reasoning'>;

export function compactEvents(events: readonly RunEvent[]): RunEvent[] {
  const out: RunEvent[] = [];
  // Open merge target per run and kind: the chunk event of the model call now streaming.
  const streaming = new Map<string, Streamed>();
  const progressKey = (e: RunEventOf<'progress'>) => `${e.runId}\u0000${e.data.step}`;
  const lastProgress = new Map<string, RunEvent>();
  for (const event of events) if (event.type === 'progress') lastProgress.set(progressKey(event), event);
  for (const event of events) {
    if (event.type === 'llm_chunk' || event.type === 'llm_reasoning') {
      const key = `${event.runId}\u0000${event.type}`;
      const open = streaming.get(key);
      if (open && open.data.step === event.data.step) {
        open.data = { ...open.data, text: open.data.text + event.data.text };
        continue;
      }
      const copy = { ...event, data: { ...event.data } };
      streaming.set(key, copy);
      out.push(copy);
      continue;
    }
    // A new attempt voids the chunks before it, so they must stay apart from the ones after.
    if (event.type === 'llm_start' || event.type === 'llm_end') {
      streaming.delete(`${event.runId}\u0000llm_chunk`);
      streaming.delete(`${event.runId}\u0000llm_reasoning`);
    }
    if (event.type === 'progress' && lastProgress.get(progressKey(event)) !== event) continue;
    out.push(event);
  }
  return out;
}
