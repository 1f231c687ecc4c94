/** The tool both agent-loop benchmarks call every step: it does next to nothing, so the loop's own cost shows. */
import { z } from 'zod';
import { defineTool } from '../src/core';

export const noteTool = defineTool({
  name: 'note',
  description: 'Notes a number',
  parameters: z.object({ n: z.number() }),
  readOnly: false,
  async execute({ n }) {
    return `noted ${n}`;
  },
});
