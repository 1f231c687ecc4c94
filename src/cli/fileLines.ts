/**
 * The lines of a text file, read in chunks (the event loop stays free on big files) and decoded
 * strictly: a line that is not UTF-8 comes back as an error naming it, never as replacement characters.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { UsageError } from './options';

export type FileLine = { number: number; text: string } | { number: number; error: string };

/** A file to read lines from; a missing one is a usage error naming the flag or argument. */
export function existingFile(path: string, what: string): string {
  if (!existsSync(path)) throw new UsageError(`${what} ${path} does not exist`);
  if (!statSync(path).isFile()) throw new UsageError(`${what} ${path} is not a file`);
  return path;
}

/** Every line, numbered from 1, without its line ending. */
export async function* fileLines(path: string): AsyncGenerator<FileLine> {
  let number = 0;
  let pending: Buffer[] = [];
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    // A newline byte never occurs inside a multi-byte UTF-8 character, so splitting bytes is safe.
    for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
      yield decoded(Buffer.concat([...pending, chunk.subarray(start, end)]), ++number);
      pending = [];
      start = end + 1;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) yield decoded(Buffer.concat(pending), ++number);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decoded(bytes: Buffer, number: number): FileLine {
  try {
    return { number, text: utf8.decode(bytes).replace(/\r$/, '') };
  } catch {
    return { number, error: 'not valid UTF-8 text' };
  }
}
