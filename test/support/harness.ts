/** Shared test helpers: a scripted server per test, a model pointed at it, collected events. */
import type { TestContext } from 'node:test';
import { OpenAICompatibleModel } from '../../src/core/model/openai';
import type { RunEvent, RunEventOf, RunEventType } from '../../src/core/events';
import { startScriptedServer, type Script, type ScriptedServer, type ScriptedServerOptions } from './scriptedServer';

export async function scriptedServer(t: TestContext, script: Script, options?: ScriptedServerOptions): Promise<ScriptedServer> {
  const server = await startScriptedServer(script, options);
  t.after(() => server.close());
  return server;
}

export function modelFor(server: ScriptedServer, model = 'scripted-model', apiKey = 'sk-test-key'): OpenAICompatibleModel {
  return new OpenAICompatibleModel({ baseURL: server.url, model, apiKey });
}

export function eventLog() {
  const events: RunEvent[] = [];
  return {
    events,
    onEvent: (e: RunEvent) => void events.push(e),
    ofType<T extends RunEventType>(type: T): RunEventOf<T>[] {
      return events.filter((e) => e.type === type) as RunEventOf<T>[];
    },
    types: () => events.map((e) => e.type),
    /** Tool results in the order the calls were made (parallel calls may finish in any order). */
    toolResultsInCallOrder() {
      const ends = new Map(events.filter((e) => e.type === 'tool_end').map((e) => [(e as RunEventOf<'tool_end'>).data.toolCallId, (e as RunEventOf<'tool_end'>).data]));
      return events.filter((e) => e.type === 'tool_start').map((e) => ends.get((e as RunEventOf<'tool_start'>).data.toolCallId)!);
    },
  };
}
