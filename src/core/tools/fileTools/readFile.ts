import { z } from 'zod';
import { splitLines } from '../../backends/textSearch';
import { displayPath } from '../../backends/paths';
import { defineTool, ToolError } from '../types';
import { fromBackend } from './backendCall';
import { plural } from './format';

export const DEFAULT_READ_LIMIT = 2000;
/** Longer lines (minified code, data) are cut so one line cannot flood the context. */
export const MAX_LINE_CHARS = 2000;

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
    const lines = splitLines(await fromBackend(() => ctx.backend.readFile(path)));
    if (lines.length === 0) return '(empty file)';
    if (offset >= lines.length) {
      throw new ToolError(`offset ${offset} is past the end of ${displayPath(path)}, which has ${plural(lines.length, 'line')}`);
    }
    const end = Math.min(offset + limit, lines.length);
    const numbered = lines.slice(offset, end).map((line, i) => `${String(offset + i + 1).padStart(6)}\t${cutLine(line)}`);
    const remaining = lines.length - end;
    if (remaining > 0) numbered.push(`… ${plural(remaining, 'more line')}; call again with offset=${end}`);
    return numbered.join('\n');
  },
});

function cutLine(line: string): string {
  if (line.length <= MAX_LINE_CHARS) return line;
  return `${line.slice(0, MAX_LINE_CHARS)}… [line truncated: ${line.length} characters]`;
}
