/** Delegation: the `task` tool runs a named subagent with its own instructions and tools. */
import { z } from 'zod';
import { defineTool, ToolError } from '../tools/types';
import type { SubagentConfig } from './types';

export const generalPurposeSubagent: SubagentConfig = {
  name: 'general-purpose',
  description:
    'A general-purpose agent for researching questions, searching and reading files, and carrying out multi-step tasks on its own. Give it a complete, self-contained task.',
  instructions:
    'You are a subagent doing one task for another agent. Do the task completely with the tools you have, then answer with a concise report of what you found or did: that report is all the other agent sees.',
};

export const taskTool = defineTool({
  name: 'task',
  description:
    'Hand a self-contained task to a subagent, which works with its own context and returns its final answer. Several task calls in one reply run in parallel.',
  parameters: z.object({
    subagent_type: z.string().describe('The name of the subagent to use'),
    description: z.string().min(1).describe('The complete task, with everything the subagent needs to know'),
  }),
  readOnly: false,
  parallel: true,
  async execute({ subagent_type, description }, ctx) {
    const known = ctx.services.listSubagents();
    if (!known.some((s) => s.name === subagent_type)) {
      throw new ToolError(`unknown subagent "${subagent_type}"; available: ${known.map((s) => s.name).join(', ')}`);
    }
    return ctx.services.runSubagent(subagent_type, description, ctx.toolCallId);
  },
  // The subagent's own events are in the journal: running the call again resumes it where it stopped.
  async recover() {
    return { outcome: 'rerun' };
  },
});
