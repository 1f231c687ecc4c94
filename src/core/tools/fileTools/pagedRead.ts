/**
 * One page of lines from a file too big to read whole: it is scanned in chunks from the start
 * (a line's number is only known by counting), holding only the page's lines, and only the first
 * few thousand bytes of each, so memory stays flat however big the file or long its lines.
 */

type ReadRange = (start: number, length: number) => Promise<Uint8Array>;

interface PagedLine {
  /** The line without its ending, decoded; cut to `keepBytes` when longer. */
  text: string;
  /** The whole line's length in bytes (a CRLF line's CR included). */
  bytes: number;
}

export interface Page {
  lines: PagedLine[];
  /** True when lines follow the page. */
  more: boolean;
  /** How many lines the file has, when the scan reached its end. */
  totalLines?: number;
}

const CHUNK_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/** Lines offset+1 … offset+limit (1-based) of a file of `size` bytes, splitting as splitLines does. */
export async function readPage(read: ReadRange, size: number, offset: number, limit: number, keepBytes: number, signal: AbortSignal): Promise<Page> {
  const end = offset + limit;
  const lines: PagedLine[] = [];
  let index = 0; // the line being scanned
  let parts: Uint8Array[] = [];
  let kept = 0;
  let bytes = 0;

  const finishLine = () => {
    if (index >= offset) lines.push({ text: decodeLine(parts), bytes });
    index++;
    if (parts.length > 0) parts = [];
    kept = 0;
    bytes = 0;
  };

  for (let position = 0; position < size; ) {
    signal.throwIfAborted();
    const chunk = await read(position, Math.min(CHUNK_BYTES, size - position));
    if (chunk.length === 0) break; // the file shrank meanwhile
    for (let from = 0; from < chunk.length; ) {
      const newline = chunk.indexOf(NEWLINE, from);
      const to = newline === -1 ? chunk.length : newline;
      if (index >= offset && kept < keepBytes) {
        const piece = chunk.subarray(from, Math.min(to, from + keepBytes - kept));
        parts.push(piece);
        kept += piece.length;
      }
      bytes += to - from;
      if (newline === -1) break;
      finishLine();
      from = newline + 1;
      if (index === end) return { lines, more: position + from < size };
    }
    position += chunk.length;
  }
  // A last line without a final newline is still a line.
  if (bytes > 0) finishLine();
  return { lines, more: false, totalLines: index };
}

function decodeLine(parts: Uint8Array[]): string {
  const text = Buffer.concat(parts).toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

