import { z } from 'zod';
import { displayPath } from '../../backends/paths';
import { splitLines } from '../../backends/textSearch';
import { defineTool } from '../types';
import { fromBackend } from './backendCall';
import { recoverWrite } from './recoverWrite';
import { plural } from './format';

export const writeFileTool = defineTool({
  name: 'write_file',
  description:
    'Create a file, or replace the whole content of an existing one; parent directories are created. ' +
    'To change part of an existing file, prefer edit_file.',
  parameters: z.object({
    path: z.string().describe('File to write, relative to the workspace root, e.g. "src/util.ts".'),
    content: z.string().describe('The complete new content of the file.'),
  }),
  readOnly: false,
  async preview({ path, content }, ctx) {
    const exists = await fromBackend(() => ctx.backend.exists(path));
    return { path: displayPath(path), before: exists ? await fromBackend(() => ctx.backend.readFile(path)) : undefined, after: content };
  },
  async execute({ path, content }, ctx) {
    await fromBackend(() => ctx.backend.writeFile(path, content));
    return wroteMessage(path, content);
  },
  async recover({ path, content }, ctx) {
    return recoverWrite(ctx, path, content, () => wroteMessage(path, content));
  },
});

const wroteMessage = (path: string, content: string) => `Wrote ${plural(splitLines(content).length, 'line')} to ${displayPath(path)}`;
