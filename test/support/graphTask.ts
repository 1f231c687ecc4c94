/**
 * A parent run that starts two graph-task child runs through the child-run API (not through `task`):
 * its tool `run_graph_task` runs a worker agent as a child journaled on its own. The scripted server
 * answers the parent and each task by the task's prompt; task B streams slowly, so a kill can land
 * while it runs. Used by test/core/childRuns.test.ts (in process and in a child process) and the e2e suite.
 */
import { z } from 'zod';
import { createDeepAgent, defineTool, OpenAICompatibleModel, startRun, ToolError, type ChatMessage, type RunEventListener, type RunResult, type TraceExporter } from '../../src/core';
import type { ChatCompletionBody, ScriptedReply } from './scriptedServer';

export const parentPrompt = 'Research the topic, then write it up.';
export const taskPrompts = { a: 'Task A: research the topic', b: 'Task B: write the report' } as const;
export const parentAnswer = 'Both tasks are done: the research and the report.';
/** Task B's answer comes in this many chunks, each after a pause: long enough to be killed in. */
export const SLOW_CHUNKS = 30;

export function graphTaskScript(chunkDelayMs: number): (request: ChatCompletionBody) => ScriptedReply {
  return (request) => {
    const prompt = request.messages.find((m) => m.role === 'user')?.content ?? '';
    if (prompt === taskPrompts.a) return { text: 'A: three sources found.', usage: { prompt: 20, completion: 5 } };
    if (prompt === taskPrompts.b) return { text: Array.from({ length: SLOW_CHUNKS }, (_, i) => `b${i} `), chunkDelayMs, usage: { prompt: 20, completion: 30 } };
    const results = request.messages.filter((m) => m.role === 'tool').length;
    if (results === 0) return { toolCalls: [{ id: 'call_a', name: 'run_graph_task', arguments: { taskId: 'a', prompt: taskPrompts.a } }] };
    if (results === 1) return { toolCalls: [{ id: 'call_b', name: 'run_graph_task', arguments: { taskId: 'b', prompt: taskPrompts.b } }] };
    return { text: parentAnswer, usage: { prompt: 40, completion: 10 } };
  };
}

export interface GraphTaskRunOptions {
  serverUrl: string;
  workspace: string;
  checkpointDir: string;
  /** Go on with this parent run instead of starting one. */
  resume?: string;
  onEvent?: RunEventListener;
  exporters?: TraceExporter[];
  /** Earlier messages of the parent's conversation (a follow-up). */
  history?: ChatMessage[];
}

/** The parent run, through the one assembler. */
export function runGraphTaskParent(options: GraphTaskRunOptions): Promise<RunResult> {
  const model = new OpenAICompatibleModel({ baseURL: options.serverUrl, model: 'scripted-model', apiKey: 'sk-test' });
  const worker = createDeepAgent({ name: 'worker', model, generalPurposeSubagent: false });
  const runGraphTask = defineTool({
    name: 'run_graph_task',
    description: 'Runs one task of the graph as a child run and returns its answer.',
    parameters: z.object({ taskId: z.string().min(1), prompt: z.string().min(1) }),
    readOnly: false,
    async execute({ taskId, prompt }, ctx) {
      const result = await ctx.services.startChildRun({ link: { kind: 'graph_task', id: taskId }, agent: worker, prompt });
      if (result.status !== 'completed') throw new ToolError(`task ${taskId} ${result.status}: ${result.error?.message ?? ''}`);
      return result.output;
    },
    // Starting the task again finds its child run: a finished one is not run again, an unfinished one goes on.
    async recover() {
      return { outcome: 'rerun' };
    },
  });
  return startRun(
    {
      prompt: options.resume ? undefined : parentPrompt,
      agent: { name: 'graph-parent' },
      workspace: { root: options.workspace },
      checkpoints: { location: options.checkpointDir },
      resume: options.resume,
      history: options.history,
    },
    { model, tools: [runGraphTask], onEvent: options.onEvent, exporters: options.exporters },
  ).result;
}
