/** The six file tools; each works on whatever FileBackend the run's ToolContext carries. */
import type { AnyTool } from './types';
import { editFileTool } from './fileTools/editFile';
import { globTool } from './fileTools/glob';
import { grepTool } from './fileTools/grep';
import { lsTool } from './fileTools/ls';
import { readFileTool } from './fileTools/readFile';
import { writeFileTool } from './fileTools/writeFile';

export { editFileTool, globTool, grepTool, lsTool, readFileTool, writeFileTool };

export function fileTools(): AnyTool[] {
  return [lsTool, readFileTool, writeFileTool, editFileTool, globTool, grepTool];
}
