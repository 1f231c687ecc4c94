import { z } from 'zod';
import { splitLines, looksBinary, BINARY_SNIFF_BYTES } from '../../backends/textSearch';
import { displayPath } from '../../backends/paths';
import { BinaryFileError, IsADirectoryError, type FileBackend } from '../../backends/types';
import { defineTool, ToolError, type ToolContext } from '../types';
import { fromBackend, toToolError } from './backendCall';
import { binaryKind, SIGNATURE_BYTES } from './binaryKind';
import { formatBytes, plural } from './format';
import { readPage } from './pagedRead';

const DEFAULT_READ_LIMIT = 2000;
/** Longer lines (minified code, data) are cut so one line cannot flood the context. */
const MAX_LINE_CHARS = 2000;
/** Files bigger than this are read a page at a time (when the backend can read byte ranges), never whole. */
const PAGED_READ_BYTES = 1024 * 1024;
/** Of a line in a paged read, at most this much is held: enough for MAX_LINE_CHARS of any script. */
const KEEP_LINE_BYTES = MAX_LINE_CHARS * 4;

export const readFileTool = defineTool({
  name: 'read_file',
  description:
    'Read a text file from the workspace. Lines are numbered like `cat -n` (the numbers are not part of the file). ' +
    `Returns at most ${DEFAULT_READ_LIMIT} lines by default; page through longer files with offset and limit.`,
  parameters: z.object({
    path: z.string().describe('File to read, relative to the workspace root, e.g. "src/index.ts".'),
    offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('0-based line to start at (default 0). offset=2000 starts at line 2001.'),
    limit: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(`How many lines to return (default ${DEFAULT_READ_LIMIT}).`),
  }),
  readOnly: true,
  async execute({ path, offset = 0, limit = DEFAULT_READ_LIMIT }, ctx) {
    const { backend } = ctx;
    // Stat first, so a huge file is never read whole (backends without stat are read as before).
    const info = backend.stat && (await fromBackend(() => backend.stat!(path)));
    if (info?.type === 'dir') throw new ToolError(new IsADirectoryError(displayPath(path)).message);
    const size = info?.size;
    if (size !== undefined && size > PAGED_READ_BYTES && backend.readRange) return readPaged(path, size, offset, limit, ctx);

    let text: string;
    try {
      text = await backend.readFile(path);
    } catch (error) {
      throw error instanceof BinaryFileError ? await binaryFileError(backend, path, size) : toToolError(error);
    }
    const lines = splitLines(text);
    if (lines.length === 0) return '(empty file)';
    if (offset >= lines.length) throw pastTheEnd(path, offset, lines.length);
    const end = Math.min(offset + limit, lines.length);
    const numbered = lines.slice(offset, end).map((line, i) => numberedLine(offset + i, cutLine(line)));
    const remaining = lines.length - end;
    if (remaining > 0) numbered.push(`… ${plural(remaining, 'more line')}; call again with offset=${end}`);
    return numbered.join('\n');
  },
});

async function readPaged(path: string, size: number, offset: number, limit: number, ctx: ToolContext): Promise<string> {
  const read = (start: number, length: number) => fromBackend(() => ctx.backend.readRange!(path, start, length));
  if (looksBinary(await read(0, BINARY_SNIFF_BYTES))) throw await binaryFileError(ctx.backend, path, size);
  const page = await readPage(read, size, offset, limit, KEEP_LINE_BYTES, ctx.signal);
  if (page.lines.length === 0) throw pastTheEnd(path, offset, page.totalLines ?? 0);
  const end = offset + page.lines.length;
  const header = `(${displayPath(path)} is ${formatBytes(size)}, so it is read a page at a time: lines ${offset + 1}–${end})`;
  const numbered = page.lines.map((line, i) =>
    numberedLine(offset + i, line.bytes > KEEP_LINE_BYTES ? `${line.text.slice(0, MAX_LINE_CHARS)}… [line truncated: ${line.bytes} bytes]` : cutLine(line.text)),
  );
  if (page.more) numbered.push(`… more lines follow; call again with offset=${end}`);
  return [header, ...numbered].join('\n');
}

/** What the file is and how big, instead of its bytes. */
async function binaryFileError(backend: FileBackend, path: string, size: number | undefined): Promise<ToolError> {
  const head = backend.readRange ? await backend.readRange(path, 0, SIGNATURE_BYTES).catch(() => undefined) : undefined;
  const details = [head && binaryKind(head), size !== undefined && formatBytes(size)].filter(Boolean).join(', ');
  return new ToolError(`"${displayPath(path)}" is a binary file${details ? ` (${details})` : ''}; only text files can be read`);
}

function pastTheEnd(path: string, offset: number, lineCount: number): ToolError {
  return new ToolError(`offset ${offset} is past the end of ${displayPath(path)}, which has ${plural(lineCount, 'line')}`);
}

const numberedLine = (index: number, text: string) => `${String(index + 1).padStart(6)}\t${text}`;

function cutLine(line: string): string {
  if (line.length <= MAX_LINE_CHARS) return line;
  return `${line.slice(0, MAX_LINE_CHARS)}… [line truncated: ${line.length} characters]`;
}
