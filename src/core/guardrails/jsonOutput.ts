/** Finds the JSON a model meant to return: the whole output, or the first ```json fenced block. */

type JsonOutputSource = 'json' | 'fenced_json';

export interface JsonOutput {
  value: unknown;
  source: JsonOutputSource;
}

// A ```json block wins over a bare ``` block: models often show other code before their answer.
const jsonFence = /```json[ \t]*\r?\n([\s\S]*?)```/i;
const bareFence = /```[ \t]*\r?\n([\s\S]*?)```/;

export function parseJsonOutput(output: string): JsonOutput | undefined {
  const whole = tryParseJson(output);
  if (whole.ok) return { value: whole.value, source: 'json' };
  for (const fence of [jsonFence, bareFence]) {
    const block = fence.exec(output)?.[1];
    if (block === undefined) continue;
    const parsed = tryParseJson(block);
    if (parsed.ok) return { value: parsed.value, source: 'fenced_json' };
  }
  return undefined;
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(trimmed) as unknown };
  } catch {
    return { ok: false };
  }
}
