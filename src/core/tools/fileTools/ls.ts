import { z } from 'zod';
import { displayPath } from '../../backends/paths';
import { defineTool } from '../types';
import { fromBackend } from './backendCall';

export const lsTool = defineTool({
  name: 'ls',
  description:
    'List the files and subdirectories of one directory in the workspace (not recursive; use glob for that). ' +
    'Directories end with "/". Paths are relative to the workspace root.',
  parameters: z.object({
    path: z
      .string()
      .optional()
      .describe('Directory to list, relative to the workspace root, e.g. "src". Omit it (or use ".") for the root.'),
  }),
  readOnly: true,
  async execute({ path = '' }, ctx) {
    const entries = await fromBackend(() => ctx.backend.ls(path));
    if (entries.length === 0) return `(empty directory: ${displayPath(path)})`;
    return entries.map((entry) => (entry.type === 'dir' ? `${entry.path}/` : entry.path)).join('\n');
  },
});
