/** Reads the Cranfield collection (bench/data/cranfield): documents, queries and graded judgements. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface Judged {
  queries: { id: string; text: string }[];
  documents: { id: string; text: string }[];
  /** query id → document id → gain (higher is more relevant) */
  relevant: Map<string, Map<string, number>>;
}

const read = (name: string) => gunzipSync(readFileSync(join(__dirname, 'data', 'cranfield', `${name}.gz`))).toString('utf8');

/** `.I n` records with `.X` fields. */
function records(text: string): { id: string; fields: Record<string, string> }[] {
  return text
    .split(/^\.I /m)
    .slice(1)
    .map((chunk) => {
      const [head, ...rest] = chunk.split('\n');
      const fields: Record<string, string> = {};
      let field = '';
      for (const line of rest) {
        const marker = /^\.([A-Z])\s*$/.exec(line);
        if (marker) field = marker[1]!;
        else if (field) fields[field] = `${fields[field] ?? ''} ${line}`.trim();
      }
      return { id: head!.trim(), fields };
    });
}

export function cranfield(): Judged {
  const documents = records(read('cran.all.1400')).map((r) => ({ id: String(Number(r.id)), text: r.fields.W ?? r.fields.T ?? '' }));
  // The judgements number queries 1..225 in file order, not by their .I numbers.
  const queries = records(read('cran.qry')).map((r, i) => ({ id: String(i + 1), text: r.fields.W ?? '' }));
  const relevant = new Map<string, Map<string, number>>();
  for (const line of read('cranqrel').split('\n')) {
    const [query, doc, code] = line.trim().split(/\s+/).map(Number);
    if (!query || !doc || !(code! >= 1 && code! <= 4)) continue;
    const judged = relevant.get(String(query)) ?? new Map<string, number>();
    judged.set(String(doc), 5 - code!);
    relevant.set(String(query), judged);
  }
  // Two documents have no text at all; nothing can find them, and they are never judged relevant.
  return { queries: queries.filter((q) => relevant.has(q.id)), documents: documents.filter((d) => d.text.trim()), relevant };
}
