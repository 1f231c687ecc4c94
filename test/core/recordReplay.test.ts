import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it, mock } from 'node:test';
import { requestKey } from '../../src/core/model/canonical';
import {
  createRecording,
  emptyFixture,
  FixtureError,
  readFixture,
  serializeFixture,
  type Fixture,
} from '../../src/core/model/fixture';
import {
  RecordingModel,
  ReplayMissError,
  ReplayModel,
  withRecordReplay,
} from '../../src/core/model/recordReplay';
import { ModelError, type ChatModel, type ChatRequest, type ModelChunk } from '../../src/core/model/types';

// ---- helpers --------------------------------------------------------------------------------

interface ScriptedAnswer {
  chunks: ModelChunk[];
  /** Thrown after the chunks, as a live model fails mid-stream. */
  error?: ModelError;
}

/** A fake live model: answers from a script (the last answer repeats) and counts its calls. */
class ScriptedFakeModel implements ChatModel {
  readonly id = 'fake:scripted';
  readonly modelName = 'fake-model';
  calls = 0;

  constructor(
    private readonly answers: ScriptedAnswer[],
    /** Held like a real client holds its credentials; must never reach a fixture. */
    readonly apiKey?: string,
  ) {}

  async *stream(): AsyncIterable<ModelChunk> {
    const answer = this.answers[Math.min(this.calls, this.answers.length - 1)];
    this.calls++;
    for (const chunk of answer.chunks) yield chunk;
    if (answer.error) throw answer.error;
  }
}

const scriptedFakeModel = (...answers: ScriptedAnswer[]) => new ScriptedFakeModel(answers);

const textAnswer = (text: string): ScriptedAnswer => ({
  chunks: [
    { type: 'text', text: text.slice(0, 3) },
    { type: 'text', text: text.slice(3) },
    { type: 'usage', usage: { inputTokens: 10, outputTokens: 2, totalTokens: 12 } },
    { type: 'finish', reason: 'stop' },
  ],
});

const toolAnswer: ScriptedAnswer = {
  chunks: [
    { type: 'tool_call', index: 0, id: 'call_1', name: 'read_file', argumentsDelta: '{"path":' },
    { type: 'tool_call', index: 0, argumentsDelta: '"a.txt"}' },
    { type: 'finish', reason: 'tool_calls' },
  ],
};

const request = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'fake-model',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content },
  ],
  ...extra,
});

async function collect(stream: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const chunks: ModelChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function collectUntilError(stream: AsyncIterable<ModelChunk>): Promise<{ chunks: ModelChunk[]; error: unknown }> {
  const chunks: ModelChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  throw new Error('expected the stream to fail');
}

const scratch = mkdtempSync(join(tmpdir(), 'record-replay-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => {
  const dir = join(scratch, `case-${++dirCount}`);
  mkdirSync(dir);
  return dir;
};

/** A live model that must not be called: replays have to answer on their own. */
const unreachableModel: ChatModel = {
  id: 'fake:unreachable',
  modelName: 'fake-model',
  stream: () => {
    throw new Error('the live model was called during a replay');
  },
};

async function recordFixture(path: string, live: ChatModel, requests: ChatRequest[]): Promise<ModelChunk[][]> {
  const recorder = new RecordingModel(live, path);
  const streamed: ModelChunk[][] = [];
  for (const each of requests) streamed.push(await collect(recorder.stream(each)));
  return streamed;
}

// ---- keys -----------------------------------------------------------------------------------

describe('requestKey', () => {
  it('is a SHA-256 hex string, stable across key order and undefined fields', () => {
    const a: ChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ name: 't', description: 'd', parameters: { type: 'object', properties: { b: {}, a: {} } } }],
      temperature: 0,
    };
    const reordered = {
      temperature: 0,
      tools: [{ parameters: { properties: { a: {}, b: {} }, type: 'object' }, description: 'd', name: 't' }],
      messages: [{ content: 'hi', role: 'user' }],
      model: 'm',
      topP: undefined,
      seed: undefined,
    } as ChatRequest;
    assert.match(requestKey(a), /^[0-9a-f]{64}$/);
    assert.equal(requestKey(reordered), requestKey(a));
  });

  it('changes with any change to a keyed field', () => {
    const base = request('What is 2+2?', { temperature: 0.2, tools: [{ name: 't', description: 'd', parameters: {} }] });
    const variants: ChatRequest[] = [
      request('What is 2+3?', { temperature: 0.2, tools: base.tools }),
      request('What is 2+2? ', { temperature: 0.2, tools: base.tools }),
      request('What is 2+2?', { temperature: 0.3, tools: base.tools }),
      request('What is 2+2?', { temperature: 0.2 }),
      request('What is 2+2?', { temperature: 0.2, tools: base.tools, seed: 1 }),
      request('What is 2+2?', { temperature: 0.2, tools: base.tools, maxTokens: 10 }),
      { ...base, model: 'other-model' },
      { ...base, messages: [...base.messages, { role: 'assistant', content: '4' }] },
      { ...base, messages: [{ role: 'user', content: 'You are terse.' }, base.messages[1]] },
    ];
    const keys = new Set([requestKey(base), ...variants.map(requestKey)]);
    assert.equal(keys.size, variants.length + 1);
  });

  it('ignores anything that is not a keyed field', () => {
    const plain = request('hi');
    const withExtras = { ...plain, headers: { Authorization: 'Bearer x' }, signal: new AbortController().signal };
    assert.equal(requestKey(withExtras as ChatRequest), requestKey(plain));
  });
});

// ---- record, then replay --------------------------------------------------------------------

describe('record then replay', () => {
  it('replays exactly the recorded chunks without calling the live model', async () => {
    const path = join(freshDir(), 'run.json');
    const live = scriptedFakeModel(textAnswer('Hello there'), toolAnswer);
    const requests = [request('greet me'), request('read a.txt')];
    const recorded = await recordFixture(path, live, requests);
    assert.equal(live.calls, 2);
    assert.deepEqual(recorded[0], textAnswer('Hello there').chunks);

    const replay = new ReplayModel(path);
    for (const [i, each] of requests.entries()) assert.deepEqual(await collect(replay.stream(each)), recorded[i]);
    assert.equal(live.calls, 2);
  });

  it('takes modelName and id from the fixture, or from options', async () => {
    const path = join(freshDir(), 'run.json');
    await recordFixture(path, scriptedFakeModel(textAnswer('ok')), [request('a')]);
    const replay = new ReplayModel(path);
    assert.equal(replay.modelName, 'fake-model');
    assert.equal(replay.id, 'replay:fake-model');
    const named = new ReplayModel(path, { modelName: 'gpt-x', id: 'openai:gpt-x' });
    assert.equal(named.modelName, 'gpt-x');
    assert.equal(named.id, 'openai:gpt-x');
  });

  it('keeps every occurrence of a repeated request, in order, and then repeats the last', async () => {
    const path = join(freshDir(), 'run.json');
    const same = request('flaky question');
    const recorded = await recordFixture(path, scriptedFakeModel(textAnswer('first'), textAnswer('second')), [same, same]);
    const fixture = readFixture(path);
    assert.equal(fixture.recordings.length, 2);
    assert.equal(fixture.recordings[0].key, fixture.recordings[1].key);

    const replay = new ReplayModel(path);
    assert.deepEqual(await collect(replay.stream(same)), recorded[0]);
    assert.deepEqual(await collect(replay.stream(same)), recorded[1]);
    assert.deepEqual(await collect(replay.stream(same)), recorded[1]);
  });

  it('records a failed call and replays the same ModelError after the same chunks', async () => {
    const path = join(freshDir(), 'run.json');
    const failure = new ModelError('rate limited', 'model_http_429', true, 429, 1500);
    const live = scriptedFakeModel({ chunks: [{ type: 'text', text: 'partial' }], error: failure });
    const recorder = new RecordingModel(live, path);
    const live1 = await collectUntilError(recorder.stream(request('q')));
    assert.equal(live1.error, failure);

    const fixture = readFixture(path);
    assert.deepEqual(fixture.recordings[0].error, {
      message: 'rate limited',
      code: 'model_http_429',
      transient: true,
      status: 429,
      retryAfterMs: 1500,
    });

    const replayed = await collectUntilError(new ReplayModel(path).stream(request('q')));
    assert.deepEqual(replayed.chunks, [{ type: 'text', text: 'partial' }]);
    assert.ok(replayed.error instanceof ModelError);
    const { message, code, transient, status, retryAfterMs } = replayed.error;
    assert.deepEqual({ message, code, transient, status, retryAfterMs }, {
      message: 'rate limited',
      code: 'model_http_429',
      transient: true,
      status: 429,
      retryAfterMs: 1500,
    });
  });

  it('records nothing for a stream the consumer abandons', async () => {
    const path = join(freshDir(), 'run.json');
    const recorder = new RecordingModel(scriptedFakeModel(textAnswer('Hello there')), path);
    for await (const chunk of recorder.stream(request('q'))) {
      assert.equal(chunk.type, 'text');
      break;
    }
    assert.deepEqual(readdirSync(join(path, '..')), []);
  });

  it('appends to an existing fixture, or starts fresh', async () => {
    const path = join(freshDir(), 'run.json');
    await recordFixture(path, scriptedFakeModel(textAnswer('one')), [request('1')]);

    const appender = new RecordingModel(scriptedFakeModel(textAnswer('two')), path, { mode: 'append' });
    await collect(appender.stream(request('2')));
    assert.deepEqual(readFixture(path).recordings.map((r) => r.request.messages[1].content), ['1', '2']);

    const overwriter = new RecordingModel(scriptedFakeModel(textAnswer('three')), path);
    await collect(overwriter.stream(request('3')));
    assert.deepEqual(readFixture(path).recordings.map((r) => r.request.messages[1].content), ['3']);
  });

  it('records concurrent calls without losing one', async () => {
    const path = join(freshDir(), 'run.json');
    const recorder = new RecordingModel(scriptedFakeModel(textAnswer('same answer')), path);
    await Promise.all(['a', 'b', 'c', 'd'].map((content) => collect(recorder.stream(request(content)))));
    const contents = readFixture(path).recordings.map((r) => r.request.messages[1].content);
    assert.deepEqual([...contents].sort(), ['a', 'b', 'c', 'd']);
  });

  it('replays a fixture built in memory', async () => {
    const fixture: Fixture = { ...emptyFixture(), recordings: [createRecording(request('q'), toolAnswer.chunks)] };
    assert.deepEqual(await collect(new ReplayModel(fixture).stream(request('q'))), toolAnswer.chunks);
  });
});

// ---- misses ---------------------------------------------------------------------------------

describe('replay misses', () => {
  const longText = (middle: string) => `${'lorem ipsum '.repeat(20)}${middle}${' dolor sit amet'.repeat(20)}`;

  async function twoRecordingFixture(): Promise<string> {
    const path = join(freshDir(), 'run.json');
    await recordFixture(path, scriptedFakeModel(textAnswer('answer')), [
      request('What is the capital of France?', { temperature: 0 }),
      request(longText('the quick brown fox')),
    ]);
    return path;
  }

  it('strict: names the fixture, the nearest request and how it differs', async () => {
    const path = await twoRecordingFixture();
    const replay = new ReplayModel(path, { mode: 'strict' });
    const { error } = await collectUntilError(replay.stream(request('What is the capital of Spain?', { temperature: 0 })));
    assert.ok(error instanceof ReplayMissError);
    assert.equal(error.nearest?.index, 0);
    assert.match(error.message, new RegExp(`fixture ${path} has no recording`));
    assert.match(error.message, /it holds 2 recordings of 2 distinct requests/);
    assert.match(error.message, /Nearest recorded request: recordings\[0\], 1 difference:/);
    assert.match(
      error.message,
      /messages\[1\]\.content: recorded "What is the capital of France\?", requested "What is the capital of Spain\?"/,
    );
  });

  it('strict: shows long strings around their first difference, at most 3 differences', async () => {
    const path = await twoRecordingFixture();
    const replay = new ReplayModel(path);
    const asked = request(longText('the quick red fox'), { topP: 0.5, seed: 7, maxTokens: 9 });
    const { error } = await collectUntilError(replay.stream(asked));
    assert.ok(error instanceof ReplayMissError);
    assert.equal(error.nearest?.index, 1);
    const lines = error.message.split('\n');
    const contentLine = lines.find((line) => line.includes('messages[1].content'));
    assert.ok(contentLine, error.message);
    assert.match(contentLine, /recorded "…[^"]*quick brown[^"]*…", requested "…[^"]*quick red[^"]*…"/);
    assert.ok(contentLine.length < 200, contentLine);
    assert.match(error.message, /recordings\[1\], 4 differences:/);
    assert.match(error.message, /… and 1 more difference$/m);
    assert.match(error.message, /maxTokens: recorded \(absent\), requested 9/);
  });

  it('permissive: a miss falls through to the fallback model', async () => {
    const path = await twoRecordingFixture();
    const fallback = scriptedFakeModel(textAnswer('live answer'));
    const replay = new ReplayModel(path, { mode: 'permissive', fallback });
    assert.deepEqual(await collect(replay.stream(request('unrecorded'))), textAnswer('live answer').chunks);
    assert.equal(fallback.calls, 1);
    await collect(replay.stream(request('What is the capital of France?', { temperature: 0 })));
    assert.equal(fallback.calls, 1);
  });

  it('permissive without a fallback: the same clear miss', async () => {
    const path = await twoRecordingFixture();
    const { error } = await collectUntilError(new ReplayModel(path, { mode: 'permissive' }).stream(request('x')));
    assert.ok(error instanceof ReplayMissError);
    assert.match(error.message, /no recording of this request/);
    assert.match(error.message, /none was given/);
  });

  it('an empty fixture says so', async () => {
    const { error } = await collectUntilError(new ReplayModel(emptyFixture()).stream(request('x')));
    assert.ok(error instanceof ReplayMissError);
    assert.match(error.message, /fixture \(in memory\) has no recording .*it holds no recordings/);
  });
});

// ---- broken fixtures ------------------------------------------------------------------------

describe('fixture errors', () => {
  const validText = serializeFixture({
    ...emptyFixture(),
    recordings: [createRecording(request('a'), textAnswer('x').chunks), createRecording(request('b'), toolAnswer.chunks)],
  });

  function loadError(text: string): FixtureError {
    const path = join(freshDir(), 'broken.json');
    writeFileSync(path, text);
    try {
      new ReplayModel(path);
    } catch (error) {
      assert.ok(error instanceof FixtureError);
      assert.equal(error.source, path);
      assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
      assert.ok(error.message.startsWith(`fixture ${path}`), error.message);
      return error;
    }
    throw new Error('expected the fixture to be rejected');
  }

  it('truncated file', () => {
    const error = loadError(validText.slice(0, validText.length / 2));
    assert.match(error.message, /is truncated or not JSON: \w+/);
  });

  it('empty file', () => {
    assert.match(loadError('').message, /is truncated or not JSON: Unexpected end of JSON input$/);
  });

  it('not JSON', () => {
    assert.match(loadError('recordings: []').message, /is truncated or not JSON: Unexpected token/);
  });

  it('JSON that is not a fixture', () => {
    assert.match(loadError('{"name": "package"}').message, /is not a deep-agent fixture \(format is missing\)$/);
    assert.match(loadError('{"format": "har"}').message, /is not a deep-agent fixture \(format is "har"\)$/);
    assert.match(loadError('[1, 2]').message, /is not a deep-agent fixture/);
  });

  it('a newer version', () => {
    const newer = validText.replace('"version": 1', '"version": 2');
    assert.match(loadError(newer).message, /has version 2; this build reads version 1$/);
  });

  it('a bad recording names its path', () => {
    const data = JSON.parse(validText) as { recordings: { chunks: unknown[] }[] };
    data.recordings[1].chunks[0] = { type: 'text' };
    const error = loadError(JSON.stringify(data));
    assert.match(error.message, /: recordings\[1\]\.chunks\[0\]\.text: .*expected string/);
  });

  it('a key that does not match its request', () => {
    const edited = validText.replace('"content": "a"', '"content": "edited"');
    assert.match(loadError(edited).message, /recordings\[0\]\.key does not match its request/);
  });

  it('a missing file', () => {
    const path = join(freshDir(), 'absent.json');
    assert.throws(() => new ReplayModel(path), { name: 'FixtureError', message: `fixture ${path} does not exist` });
  });
});

// ---- writing --------------------------------------------------------------------------------

describe('atomic fixture writes', () => {
  it('leaves only the fixture behind', async () => {
    const dir = freshDir();
    await recordFixture(join(dir, 'run.json'), scriptedFakeModel(textAnswer('a'), textAnswer('b')), [request('1'), request('2')]);
    assert.deepEqual(readdirSync(dir), ['run.json']);
  });

  it('keeps the previous fixture intact and removes the temp file when a write fails', async () => {
    const dir = freshDir();
    const path = join(dir, 'run.json');
    await recordFixture(path, scriptedFakeModel(textAnswer('kept')), [request('1')]);
    const before = readFileSync(path, 'utf8');

    const recorder = new RecordingModel(scriptedFakeModel(textAnswer('new')), path, { mode: 'append' });
    const rename = mock.method(fsp, 'rename', async () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    try {
      const { chunks, error } = await collectUntilError(recorder.stream(request('2')));
      assert.equal(chunks.length, 4, 'the live chunks still streamed');
      assert.ok(error instanceof FixtureError);
      assert.match(error.message, new RegExp(`^fixture ${path} could not be written: EACCES`));
    } finally {
      rename.mock.restore();
    }
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.deepEqual(readdirSync(dir), ['run.json']);

    // The next write succeeds and still holds the call whose write failed.
    await collect(recorder.stream(request('3')));
    assert.deepEqual(readFixture(path).recordings.map((r) => r.request.messages[1].content), ['1', '2', '3']);
  });

  it('cleans up when the file system refuses the rename', async () => {
    const dir = freshDir();
    const path = join(dir, 'run.json');
    mkdirSync(path); // a directory where the fixture should go
    const recorder = new RecordingModel(scriptedFakeModel(textAnswer('a')), path);
    const { error } = await collectUntilError(recorder.stream(request('1')));
    assert.ok(error instanceof FixtureError, String(error));
    assert.deepEqual(readdirSync(dir), ['run.json']);
  });
});

// ---- abort ----------------------------------------------------------------------------------

describe('abort', () => {
  const fixture = (): Fixture => ({ ...emptyFixture(), recordings: [createRecording(request('q'), textAnswer('Hello').chunks)] });

  it('stops a replay between chunks', async () => {
    const controller = new AbortController();
    const seen: ModelChunk[] = [];
    await assert.rejects(async () => {
      for await (const chunk of new ReplayModel(fixture()).stream(request('q'), { signal: controller.signal })) {
        seen.push(chunk);
        controller.abort();
      }
    }, { name: 'AbortError' });
    assert.equal(seen.length, 1);
  });

  it('stops a replay waiting out its delay', async () => {
    const controller = new AbortController();
    const replay = new ReplayModel(fixture(), { delayMs: 10_000 });
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(collect(replay.stream(request('q'), { signal: controller.signal })), { name: 'AbortError' });
    assert.ok(Date.now() - started < 2_000);
  });

  it('does not start a replay that is already aborted', async () => {
    const signal = AbortSignal.abort();
    await assert.rejects(collect(new ReplayModel(fixture()).stream(request('q'), { signal })), { name: 'AbortError' });
  });
});

// ---- secrets --------------------------------------------------------------------------------

describe('secrets', () => {
  it('never writes the API key the wrapped model holds, nor what a request carries besides its keyed fields', async () => {
    const apiKey = 'sk-test-DO-NOT-RECORD-0123456789abcdef';
    const path = join(freshDir(), 'run.json');
    const live = new ScriptedFakeModel([textAnswer('fine')], apiKey);
    const recorder = new RecordingModel(live, path);
    const carrying = {
      ...request('hello'),
      apiKey,
      headers: { Authorization: `Bearer ${apiKey}` },
      signal: new AbortController().signal,
    } as ChatRequest;
    await collect(recorder.stream(carrying));

    const text = readFileSync(path, 'utf8');
    assert.ok(!text.includes(apiKey));
    assert.ok(!text.includes('Authorization'));
    assert.deepEqual(Object.keys(readFixture(path).recordings[0].request), ['model', 'messages']);
  });
});

// ---- the CLI's flags ------------------------------------------------------------------------

describe('withRecordReplay', () => {
  it('returns the model itself, a recorder, or a replay as asked', () => {
    const live = scriptedFakeModel(textAnswer('x'));
    assert.equal(withRecordReplay(live, {}), live);
    assert.ok(withRecordReplay(live, { record: join(freshDir(), 'r.json') }) instanceof RecordingModel);
    assert.throws(() => withRecordReplay(live, { strict: true }), /strict replay needs a fixture/);
  });

  it('replay only: permissive calls the live model on a miss, strict does not', async () => {
    const path = join(freshDir(), 'run.json');
    await recordFixture(path, scriptedFakeModel(textAnswer('recorded')), [request('known')]);
    const live = scriptedFakeModel(textAnswer('live'));

    const permissive = withRecordReplay(live, { replay: path });
    assert.deepEqual(await collect(permissive.stream(request('known'))), textAnswer('recorded').chunks);
    assert.deepEqual(await collect(permissive.stream(request('new'))), textAnswer('live').chunks);
    assert.equal(live.calls, 1);

    const strict = withRecordReplay(live, { replay: path, strict: true });
    await assert.rejects(collect(strict.stream(request('new'))), ReplayMissError);
    assert.equal(live.calls, 1);
  });

  it('record and replay the same file: fills the fixture in, then replays it strictly', async () => {
    const path = join(freshDir(), 'run.json');
    const live = scriptedFakeModel(textAnswer('one'), textAnswer('two'));

    const firstRun = withRecordReplay(live, { record: path, replay: path });
    await collect(firstRun.stream(request('1')));
    assert.equal(live.calls, 1);

    const secondRun = withRecordReplay(live, { record: path, replay: path });
    assert.deepEqual(await collect(secondRun.stream(request('1'))), textAnswer('one').chunks);
    assert.deepEqual(await collect(secondRun.stream(request('2'))), textAnswer('two').chunks);
    assert.equal(live.calls, 2);

    const strictRun = withRecordReplay(unreachableModel, { replay: path, strict: true });
    assert.deepEqual(await collect(strictRun.stream(request('1'))), textAnswer('one').chunks);
    assert.deepEqual(await collect(strictRun.stream(request('2'))), textAnswer('two').chunks);
  });

  it('record and replay different files: records only what the replay lacks', async () => {
    const dir = freshDir();
    const replayPath = join(dir, 'old.json');
    const recordPath = join(dir, 'new.json');
    await recordFixture(replayPath, scriptedFakeModel(textAnswer('old')), [request('known')]);
    const both = withRecordReplay(scriptedFakeModel(textAnswer('fresh')), { record: recordPath, replay: replayPath });
    await collect(both.stream(request('known')));
    await collect(both.stream(request('unknown')));
    assert.deepEqual(readFixture(recordPath).recordings.map((r) => r.request.messages[1].content), ['unknown']);
    assert.throws(() => withRecordReplay(unreachableModel, { record: recordPath, replay: replayPath, strict: true }));
  });
});
