import { z } from 'zod';
import { displayPath } from '../../backends/paths';
import { defineTool, ToolError } from '../types';
import { fromBackend } from './backendCall';
import { recoverWrite } from './recoverWrite';
import { plural } from './format';

export const editFileTool = defineTool({
  name: 'edit_file',
  description:
    'Replace an exact string in a file. old_string must match the file exactly (whitespace and indentation included; ' +
    'without the line numbers read_file shows) and, unless replace_all is set, occur exactly once: ' +
    'include enough surrounding lines to make it unique.',
  parameters: z.object({
    path: z.string().describe('File to edit, relative to the workspace root.'),
    old_string: z.string().describe('The exact text to replace.'),
    new_string: z.string().describe('The text to put in its place (must differ from old_string).'),
    replace_all: z
      .boolean()
      .optional()
      .describe('Replace every occurrence of old_string instead of requiring exactly one (default false).'),
  }),
  readOnly: false,
  async preview(args, ctx) {
    const before = await fromBackend(() => ctx.backend.readFile(args.path));
    return { path: displayPath(args.path), before, after: applyEdit(before, args).updated };
  },
  async execute(args, ctx) {
    const content = await fromBackend(() => ctx.backend.readFile(args.path));
    const { updated, replaced } = applyEdit(content, args);
    await fromBackend(() => ctx.backend.writeFile(args.path, updated));
    return replacedMessage(args.path, replaced);
  },
  async recover(args, ctx) {
    const intent = ctx.fileChanges.at(-1);
    if (!intent) return { outcome: 'rerun' };
    return recoverWrite(ctx, args.path, intent.after, () => replacedMessage(args.path, applyEdit(intent.before ?? '', args).replaced));
  },
});

const replacedMessage = (path: string, replaced: number) => `Replaced ${plural(replaced, 'occurrence')} in ${displayPath(path)}`;

interface EditArgs {
  path: string;
  old_string: string;
  new_string: string;
  replace_all?: boolean;
}

/** The file's new content; the same check for the approval preview and the edit itself. */
function applyEdit(content: string, { path, old_string: oldString, new_string: newString, replace_all: replaceAll = false }: EditArgs) {
  const shown = displayPath(path);
  if (oldString === '') throw new ToolError('old_string is empty; to create or overwrite a file use write_file');
  if (oldString === newString) throw new ToolError(`old_string and new_string are the same; nothing to change in ${shown}`);
  const edit = matchLineEndings(content, oldString, newString);
  const count = content.split(edit.oldString).length - 1;
  if (count === 0) throw new ToolError(`old_string not found in ${shown}`);
  if (count > 1 && !replaceAll) throw new ToolError(`old_string occurs ${count} times in ${shown}; give more context or set replace_all`);
  const updated = replaceAll ? content.split(edit.oldString).join(edit.newString) : replaceFirst(content, edit.oldString, edit.newString);
  return { updated, replaced: replaceAll ? count : 1 };
}

/** Models write '\n'; when only the file's CRLF endings stop a match, edit in CRLF so the file stays consistent. */
function matchLineEndings(content: string, oldString: string, newString: string): { oldString: string; newString: string } {
  const usesCrlf = content.includes('\r\n') && !oldString.includes('\r') && oldString.includes('\n');
  if (!usesCrlf || content.includes(oldString)) return { oldString, newString };
  return { oldString: oldString.replace(/\n/g, '\r\n'), newString: newString.replace(/\r?\n/g, '\r\n') };
}

// Slicing rather than String.replace, which would expand "$&" and "$1" in new_string.
function replaceFirst(content: string, oldString: string, newString: string): string {
  const at = content.indexOf(oldString);
  return content.slice(0, at) + newString + content.slice(at + oldString.length);
}
