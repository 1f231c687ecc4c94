/**
 * A scripted multi-step task with side effects, for checkpoint, crash and resume tests: todos, a
 * new file, an edit that appends (so running it twice would show), a parallel read, a subagent
 * that writes, and `append_log`, a tool with an effect outside the file backend (an append to
 * effects.log, keyed by tool call id) that can tell after a crash whether it happened.
 * The server answers by the conversation, not by request order, so a repeated model call after a
 * crash gets the same answer, as a deterministic model would give.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineTool } from '../../src/core/tools/types';
import type { ChatCompletionBody, ScriptedReply } from './scriptedServer';

export const taskPrompt = 'Create notes.txt, extend it, get the subagent to write sub.txt, and log progress.';

/** The subagent's requests are told apart by its task text. */
const subagentTask = 'Write sub.txt with one line: from the subagent';

export function taskScript(options: { chunkDelayMs?: number } = {}) {
  const chunked = (text: string) => text.match(/.{1,6}/g)!;
  const reply = (r: ScriptedReply) => ({ ...r, chunkDelayMs: options.chunkDelayMs, usage: { prompt: 100, completion: 20 } });
  return (body: ChatCompletionBody): ScriptedReply => {
    const turn = body.messages.filter((m) => m.role === 'assistant').length;
    if (body.messages.some((m) => m.role === 'user' && m.content === subagentTask)) {
      if (turn === 0) return reply({ text: chunked('Writing it now.'), toolCalls: [{ id: 'sub_w', name: 'write_file', arguments: { path: 'sub.txt', content: 'from the subagent\n' } }] });
      return reply({ text: chunked('sub.txt is written.') });
    }
    switch (turn) {
      case 0:
        return reply({
          text: chunked('I will plan first and create the file.'),
          toolCalls: [
            { id: 'c1', name: 'write_todos', arguments: { todos: [{ content: 'create notes', status: 'in_progress' }, { content: 'extend notes', status: 'pending' }] } },
            { id: 'c2', name: 'write_file', arguments: { path: 'notes.txt', content: 'first\nEND\n' } },
          ],
        });
      case 1:
        return reply({
          text: chunked('Extending the notes and reading them back.'),
          toolCalls: [
            { id: 'c3', name: 'edit_file', arguments: { path: 'notes.txt', old_string: 'END', new_string: 'second\nEND' } },
            { id: 'c4', name: 'read_file', arguments: { path: 'notes.txt' } },
            { id: 'c5', name: 'append_log', arguments: { text: 'notes extended' } },
          ],
        });
      case 2:
        return reply({
          text: chunked('Handing sub.txt to a subagent.'),
          toolCalls: [{ id: 'c6', name: 'task', arguments: { subagent_type: 'general-purpose', description: subagentTask } }],
        });
      case 3:
        return reply({
          toolCalls: [
            { id: 'c7', name: 'edit_file', arguments: { path: 'notes.txt', old_string: 'END', new_string: 'third\nEND' } },
            { id: 'c8', name: 'append_log', arguments: { text: 'all done' } },
            { id: 'c9', name: 'write_todos', arguments: { todos: [{ content: 'create notes', status: 'completed' }, { content: 'extend notes', status: 'completed' }] } },
          ],
        });
      default:
        return reply({ text: chunked('Done: notes.txt has three lines, sub.txt exists and the log has two entries.') });
    }
  };
}

/** Appends to effects.log in the workspace, outside the file backend; the tool call id is the idempotency key. */
export function appendLogTool(workspace: string) {
  const log = join(workspace, 'effects.log');
  const logged = async (key: string) => (await readFile(log, 'utf8').catch(() => '')).split('\n').some((line) => line.startsWith(`${key} `));
  return defineTool({
    name: 'append_log',
    description: 'Append a line to the progress log.',
    parameters: z.object({ text: z.string() }),
    readOnly: false,
    async execute({ text }, ctx) {
      await appendFile(log, `${ctx.toolCallId} ${text}\n`);
      return `logged: ${text}`;
    },
    async recover({ text }, ctx) {
      return (await logged(ctx.toolCallId)) ? { outcome: 'done', result: `logged: ${text}` } : { outcome: 'rerun' };
    },
  });
}
