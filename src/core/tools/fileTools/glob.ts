import { z } from 'zod';
import { displayPath } from '../../backends/paths';
import { defineTool } from '../types';
import { fromBackend } from './backendCall';
import { plural } from './format';

/** More paths than this are rarely read; they only fill the context. */
const MAX_GLOB_PATHS = 500;

export const globTool = defineTool({
  name: 'glob',
  description:
    'Find files by path pattern, e.g. "**/*.ts" or "src/**/*.{ts,tsx}". Returns matching file paths (relative to the ' +
    'workspace root), one per line, sorted. "*" stays within one directory; "**" crosses any number. ' +
    'Dot files match only when the pattern names them (".github/**"); node_modules and .git are skipped unless named.',
  parameters: z.object({
    pattern: z.string().describe('Glob pattern, matched against file paths relative to `path`.'),
    path: z
      .string()
      .optional()
      .describe('Directory to search under, relative to the workspace root (default: the root).'),
  }),
  readOnly: true,
  async execute({ pattern, path = '' }, ctx) {
    const paths = await fromBackend(() => ctx.backend.glob(pattern, path, { signal: ctx.signal }));
    if (paths.length === 0) return `No files match "${pattern}" under ${displayPath(path)}`;
    if (paths.length <= MAX_GLOB_PATHS) return paths.join('\n');
    const more = paths.length - MAX_GLOB_PATHS;
    return [...paths.slice(0, MAX_GLOB_PATHS), `… ${plural(more, 'more file')}; narrow the pattern or path`].join('\n');
  },
});
