/** Planning: the model keeps a todo list it rewrites as it works. */
import { z } from 'zod';
import { defineTool } from '../tools/types';

const todoSchema = z.object({
  content: z.string().min(1).describe('What to do, as a short imperative sentence'),
  status: z.enum(['pending', 'in_progress', 'completed']).describe('Exactly one item should be in_progress while you work'),
});

export const writeTodosTool = defineTool({
  name: 'write_todos',
  description:
    'Replace your todo list with this one. Use it to plan any task of three or more steps, keep one item in_progress, and mark items completed as soon as they are done.',
  parameters: z.object({ todos: z.array(todoSchema).describe('The whole list, in order') }),
  readOnly: false,
  async execute({ todos }, ctx) {
    ctx.services.writeTodos(todos);
    const done = todos.filter((t) => t.status === 'completed').length;
    return `Todo list updated: ${todos.length} items, ${done} completed.`;
  },
  // It only replaces the run's own list: doing it again changes nothing.
  async recover() {
    return { outcome: 'rerun' };
  },
});

export const readTodosTool = defineTool({
  name: 'read_todos',
  description: 'Show your current todo list.',
  parameters: z.object({}),
  readOnly: true,
  async execute(_args, ctx) {
    const todos = ctx.services.readTodos();
    if (todos.length === 0) return 'The todo list is empty.';
    const mark = { pending: '[ ]', in_progress: '[~]', completed: '[x]' } as const;
    return todos.map((t, i) => `${i + 1}. ${mark[t.status]} ${t.content}`).join('\n');
  },
});
