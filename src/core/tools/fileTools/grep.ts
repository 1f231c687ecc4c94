import { z } from 'zod';
import { displayPath } from '../../backends/paths';
import { defineTool } from '../types';
import { fromBackend } from './backendCall';
import { clip } from './format';

const MAX_GREP_MATCHES = 200;
/** Matching lines are shown trimmed and cut to this length; read_file shows the whole line. */
const MAX_MATCH_TEXT_CHARS = 200;

export const grepTool = defineTool({
  name: 'grep',
  description:
    'Search file contents for a JavaScript regular expression (or a literal string). Returns "path:line: text" for ' +
    `each matching line, sorted by path and line, at most ${MAX_GREP_MATCHES}. ` +
    'Binary files, files over 1 MB, node_modules and .git are skipped. A search has a time limit; ' +
    'past it the error says what to simplify or narrow.',
  parameters: z.object({
    pattern: z
      .string()
      .describe('JavaScript regular expression, e.g. "function\\s+load" (or plain text when literal is true).'),
    path: z
      .string()
      .optional()
      .describe('Directory or single file to search, relative to the workspace root (default: the root).'),
    glob: z
      .string()
      .optional()
      .describe('Only search files matching this glob. Without "/" it matches file names at any depth ("*.ts"); with "/" the path under `path` ("src/**/*.test.ts").'),
    ignore_case: z.boolean().optional().describe('Match letters case-insensitively (default false).'),
    literal: z
      .boolean()
      .optional()
      .describe('Treat pattern as plain text, so characters like "(" and "." match themselves (default false).'),
  }),
  readOnly: true,
  async execute({ pattern, path, glob, ignore_case: ignoreCase, literal }, ctx) {
    // One more than shown, to know whether there were more.
    const options = { path, glob, ignoreCase, literal, maxResults: MAX_GREP_MATCHES + 1, signal: ctx.signal };
    const matches = await fromBackend(() => ctx.backend.grep(pattern, options));
    if (matches.length === 0) {
      const where = `under ${displayPath(path ?? '')}${glob === undefined ? '' : ` in files matching "${glob}"`}`;
      return `No matches for "${pattern}" ${where}`;
    }
    const lines = matches
      .slice(0, MAX_GREP_MATCHES)
      .map((match) => `${match.path}:${match.line}: ${clip(match.text.trim(), MAX_MATCH_TEXT_CHARS)}`);
    if (matches.length > MAX_GREP_MATCHES) {
      lines.push(`(showing the first ${MAX_GREP_MATCHES} matches; narrow the search with path, glob or a more specific pattern)`);
    }
    return lines.join('\n');
  },
});
