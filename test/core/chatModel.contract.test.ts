/**
 * One contract for every ChatModel: the OpenAI-compatible client against the scripted server over
 * HTTP, a recorder in front of it, a replay of what the recorder wrote, and the vscode.lm adapter
 * against a fake language model. What only one of them does is tested in its own file
 * (openaiModel, wireQuirks, recordReplay).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { RecordingModel, ReplayModel } from '../../src/core/model/recordReplay';
import { ToolCallAssembler } from '../../src/core/model/toolCallAssembler';
import { ModelError, type ChatModel, type ChatRequest, type ModelChunk } from '../../src/core/model/types';
import { LanguageModelChat } from '../../src/vscode/languageModelChat';
import { fakeLanguageModel, fakeLanguageModelApi } from '../support/fakeLanguageModel';
import { modelFor, scriptedServer } from '../support/harness';
import type { ScriptedReply } from '../support/scriptedServer';

/** What the model is to answer, in each implementation's own terms. */
interface Scenario {
  text: string[];
  toolCalls?: { id: string; name: string; arguments: Record<string, unknown> }[];
  usage: { prompt: number; completion: number };
}

const SCENARIOS = {
  answer: { text: ['The answer ', 'is ', '42.'], usage: { prompt: 12, completion: 5 } },
  toolCalls: {
    text: ['Let me look.'],
    toolCalls: [
      { id: 'call_read', name: 'read_file', arguments: { path: 'src/a.ts' } },
      { id: 'call_ls', name: 'ls', arguments: { path: 'src', depth: 2 } },
    ],
    usage: { prompt: 20, completion: 9 },
  },
  /** Long enough that a model which ignored the abort would stream far more than the few chunks read. */
  long: { text: Array.from({ length: 40 }, (_, i) => `word${i} `), usage: { prompt: 5, completion: 40 } },
} satisfies Record<string, Scenario>;
type ScenarioName = keyof typeof SCENARIOS;

const MODEL_NAME = 'contract-model';

/** The same request for every implementation, so a replay finds what was recorded. */
const requestFor = (scenario: ScenarioName | 'failure'): ChatRequest => ({
  model: MODEL_NAME,
  messages: [
    { role: 'system', content: 'You are a contract test.' },
    { role: 'user', content: `scenario: ${scenario}` },
  ],
  tools: [
    { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
    { name: 'ls', description: 'List a folder', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
  ],
});

interface Subject {
  name: string;
  /** The model name the implementation reports (requests carry MODEL_NAME). */
  modelName: string;
  /** 'none': the implementation has no token counts to report (vscode.lm). */
  usage: 'reported' | 'none';
  model(t: TestContext, scenario: ScenarioName): Promise<ChatModel>;
  /** Failures injected in the implementation's own way, and the ModelError code each must give. */
  failures: { what: string; code: string; transient: boolean; model(t: TestContext): Promise<ChatModel> }[];
}

function chatModelContract(subject: Subject): void {
  describe(`ChatModel contract: ${subject.name}`, () => {
    it('streams text chunks that join to the answer, then finishes with "stop"', async (t) => {
      const chunks = await collect((await subject.model(t, 'answer')).stream(requestFor('answer')));
      const texts = chunks.filter((c) => c.type === 'text');
      assert.ok(texts.length > 1, `the answer streams in pieces, got ${texts.length}`);
      assert.equal(texts.map((c) => c.text).join(''), SCENARIOS.answer.text.join(''));
      assert.deepEqual(finishes(chunks), ['stop']);
      assert.ok(chunks.every((c) => c.type !== 'tool_call'));
      assert.ok(lastIndexOf(chunks, 'text') < lastIndexOf(chunks, 'finish'), 'finish comes after the text');
    });

    it('streams tool calls with ids, names and JSON arguments, then finishes with "tool_calls"', async (t) => {
      const chunks = await collect((await subject.model(t, 'toolCalls')).stream(requestFor('toolCalls')));
      const assembler = new ToolCallAssembler();
      for (const chunk of chunks) if (chunk.type === 'tool_call') assembler.add(chunk);
      const calls = assembler.calls(1).map((call) => ({ id: call.id, name: call.name, arguments: JSON.parse(call.arguments) as unknown }));
      assert.deepEqual(calls, SCENARIOS.toolCalls.toolCalls);
      assert.deepEqual(finishes(chunks), ['tool_calls']);
      assert.ok(lastIndexOf(chunks, 'tool_call') < lastIndexOf(chunks, 'finish'), 'finish comes after the calls');
    });

    it('stops promptly when its signal is aborted mid-stream, rejecting with the abort', async (t) => {
      const model = await subject.model(t, 'long');
      const controller = new AbortController();
      const seen: ModelChunk[] = [];
      await assert.rejects(
        (async () => {
          for await (const chunk of model.stream(requestFor('long'), { signal: controller.signal })) {
            seen.push(chunk);
            if (seen.length === 2) controller.abort();
          }
        })(),
        (error: unknown) => {
          assert.ok(!(error instanceof ModelError), `a cancelled call is not a model failure: ${String(error)}`);
          assert.equal(error, controller.signal.reason, 'rejects with the signal\'s reason');
          return true;
        },
      );
      assert.ok(seen.length < 10, `nothing much streams after the abort (saw ${seen.length} of ${SCENARIOS.long.text.length} chunks)`);
      assert.ok(seen.every((c) => c.type !== 'finish'), 'an aborted answer never finishes');
    });

    for (const failure of subject.failures) {
      it(`surfaces ${failure.what} as a ModelError with code ${failure.code}`, async (t) => {
        const model = await failure.model(t);
        await assert.rejects(collect(model.stream(requestFor('failure'))), (error: unknown) => {
          assert.ok(error instanceof ModelError, `expected a ModelError, got ${String(error)}`);
          assert.equal(error.code, failure.code);
          assert.equal(error.transient, failure.transient);
          assert.match(error.message, /\S/);
          return true;
        });
      });
    }

    it('names itself: id and modelName', async (t) => {
      const model = await subject.model(t, 'answer');
      assert.equal(model.modelName, subject.modelName);
      assert.match(model.id, /\S/);
      assert.ok(model.id.includes(model.modelName), `id "${model.id}" names the model "${model.modelName}"`);
    });

    it(subject.usage === 'reported' ? 'reports token usage once per call' : 'reports no token usage (it has none to report)', async (t) => {
      const chunks = await collect((await subject.model(t, 'answer')).stream(requestFor('answer')));
      const usage = chunks.filter((c) => c.type === 'usage').map((c) => c.usage);
      const { prompt, completion } = SCENARIOS.answer.usage;
      assert.deepEqual(usage, subject.usage === 'reported' ? [{ inputTokens: prompt, outputTokens: completion, totalTokens: prompt + completion }] : []);
    });
  });
}

async function collect(stream: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const chunks: ModelChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const finishes = (chunks: ModelChunk[]) => chunks.flatMap((c) => (c.type === 'finish' ? [c.reason] : []));
const lastIndexOf = (chunks: ModelChunk[], type: ModelChunk['type']) => chunks.findLastIndex((c) => c.type === type);

// ---- the implementations ----------------------------------------------------------------------

const toScripted = (scenario: Scenario, paced: boolean): ScriptedReply => ({
  text: scenario.text,
  toolCalls: scenario.toolCalls,
  usage: scenario.usage,
  // The long answer is paced so an abort lands mid-stream, not after the server sent it all.
  ...(paced ? { chunkDelayMs: 20 } : {}),
});

/** A model on a scripted server that answers `reply` to every request. */
async function scriptedModel(t: TestContext, reply: ScriptedReply): Promise<ChatModel> {
  return modelFor(await scriptedServer(t, () => reply), MODEL_NAME);
}

const liveModel = (t: TestContext, scenario: ScenarioName) => scriptedModel(t, toScripted(SCENARIOS[scenario], scenario === 'long'));

async function fixturePath(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-contract-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'fixture.json');
}

/** Records `live`'s answer to the scenario's request into a fixture, and replays that. */
async function replayOf(t: TestContext, live: ChatModel, scenario: ScenarioName | 'failure'): Promise<ChatModel> {
  const path = await fixturePath(t);
  await collect(new RecordingModel(live, path).stream(requestFor(scenario))).catch((error: unknown) => {
    if (!(error instanceof ModelError)) throw error;
  });
  return new ReplayModel(path);
}

chatModelContract({
  name: 'OpenAICompatibleModel (scripted server over HTTP)',
  modelName: MODEL_NAME,
  usage: 'reported',
  model: liveModel,
  failures: [
    { what: 'an HTTP 500', code: 'model_http_500', transient: true, model: (t) => scriptedModel(t, { status: 500, message: 'upstream broke' }) },
    { what: 'an HTTP 400', code: 'model_http_400', transient: false, model: (t) => scriptedModel(t, { status: 400, message: 'bad tools field' }) },
  ],
});

chatModelContract({
  name: 'RecordingModel (over the scripted server)',
  modelName: MODEL_NAME,
  usage: 'reported',
  model: async (t, scenario) => new RecordingModel(await liveModel(t, scenario), await fixturePath(t)),
  failures: [
    {
      what: 'an HTTP 500 of the live model',
      code: 'model_http_500',
      transient: true,
      model: async (t) => new RecordingModel(await scriptedModel(t, { status: 500 }), await fixturePath(t)),
    },
  ],
});

chatModelContract({
  name: 'ReplayModel (of what RecordingModel recorded from the scripted server)',
  modelName: MODEL_NAME,
  usage: 'reported',
  model: async (t, scenario) => replayOf(t, await liveModel(t, scenario), scenario),
  failures: [
    { what: 'a replay miss', code: 'replay_miss', transient: false, model: async (t) => replayOf(t, await liveModel(t, 'answer'), 'answer') },
    { what: 'a recorded HTTP 500', code: 'model_http_500', transient: true, model: async (t) => replayOf(t, await scriptedModel(t, { status: 500 }), 'failure') },
  ],
});

/** The vscode.lm answer of a scenario: text parts, then whole tool calls (the API has no usage). */
const lmParts = (scenario: Scenario) => [
  ...scenario.text.map((text) => ({ text })),
  ...(scenario.toolCalls ?? []).map((call) => ({ callId: call.id, name: call.name, input: call.arguments })),
];

chatModelContract({
  name: 'LanguageModelChat (fake LanguageModelChat)',
  modelName: 'fake-lm',
  usage: 'none',
  model: async (_t, scenario) => new LanguageModelChat(fakeLanguageModel('fake-lm', { parts: lmParts(SCENARIOS[scenario]) }), fakeLanguageModelApi),
  failures: [
    {
      what: 'a LanguageModelError (the user refused access)',
      code: 'vscode_lm_NoPermissions',
      transient: false,
      model: async () => new LanguageModelChat(fakeLanguageModel('fake-lm', { error: 'NoPermissions', message: 'the user did not allow it' }), fakeLanguageModelApi),
    },
    {
      what: 'a LanguageModelError (the request was blocked)',
      code: 'vscode_lm_Blocked',
      transient: true,
      model: async () => new LanguageModelChat(fakeLanguageModel('fake-lm', { error: 'Blocked', message: 'rate limited' }), fakeLanguageModelApi),
    },
  ],
});
