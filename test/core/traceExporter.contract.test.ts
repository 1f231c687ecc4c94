/**
 * One contract for every TraceExporter: the spans a Tracer folds from a run with a subagent all
 * reach it, tree, names, status and key attributes intact; no secret gets through; flush and
 * shutdown settle; an export after shutdown is harmless or a clear error. Each exporter's own
 * format is tested in tracing.exporters.test.ts and tracing.otel.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ConsoleTraceExporter } from '../../src/core/tracing/exporters/console';
import { JsonlTraceExporter } from '../../src/core/tracing/exporters/jsonl';
import { MemoryTraceExporter } from '../../src/core/tracing/exporters/memory';
import { OtelTraceExporter } from '../../src/core/tracing/exporters/otel';
import { sequentialTraceIds } from '../../src/core/tracing/ids';
import { Tracer } from '../../src/core/tracing/tracer';
import type { Span, TraceExporter } from '../../src/core/tracing/types';
import { StringWritable, otlpAttribute, runWithSubagent, startOtlpCollector, type OtlpCollector } from '../support/tracing';

/** A span as an exporter shows it: where it sits in the tree, and what the exporter keeps of it. */
interface ReceivedSpan {
  /** The names from the root down to this span, joined with " > ". */
  path: string;
  status: 'ok' | 'error';
  errorMessage?: string;
  /** Absent where the exporter shows none (console). */
  attributes?: Record<string, unknown>;
  traceId?: string;
  spanId?: string;
}

interface ExporterUnderTest {
  exporter: TraceExporter;
  /** What reached the exporter's destination, once the tracer has flushed. */
  received(): Promise<ReceivedSpan[]>;
  /** Everything it wrote, as text, to look for secrets in. */
  output(): Promise<string>;
}

interface ExporterSubject {
  name: string;
  create(t: TestContext): Promise<ExporterUnderTest>;
}

const MAIN = 'invoke_agent main';
const STEP = `${MAIN} > step 1`;
const TASK = `${STEP} > execute_tool task`;
const SUB = `${TASK} > invoke_agent researcher`;
const EXPECTED_TREE = [MAIN, STEP, `${STEP} > chat test-model`, `${STEP} > execute_tool ls`, TASK, SUB, `${SUB} > step 1`, `${SUB} > step 1 > chat test-model`].sort();

const API_KEY = 'sk-live-0123456789abcdefXYZ';
const URL_PASSWORD = 'hunter2-url-password';
const QUERY_KEY = 'k-query-secret-4711';
const SECRETS = [API_KEY, URL_PASSWORD, QUERY_KEY];
/** A tool error and a prompt carrying a key, and a URL with credentials and a key in its query. */
const secretRun = () =>
  runWithSubagent('run-main', {
    prompt: `Summarise the repo; the key is ${API_KEY}`,
    lsError: `ENOENT: no such directory (fetched https://deploy:${URL_PASSWORD}@api.example.com/v1/files?key=${QUERY_KEY} with ${API_KEY})`,
  });

function traceExporterContract(subject: ExporterSubject): void {
  describe(`TraceExporter contract: ${subject.name}`, () => {
    /** Traces `events` into the exporter, failing the test on any exporter error. */
    async function trace(t: TestContext, events = runWithSubagent()): Promise<ExporterUnderTest & { tracer: Tracer }> {
      const under = await subject.create(t);
      const errors: string[] = [];
      const tracer = new Tracer({ exporters: [under.exporter], ids: sequentialTraceIds(), onExporterError: (name, error) => errors.push(`${name}: ${String(error)}`) });
      t.after(() => tracer.shutdown());
      for (const event of events) tracer.onEvent(event);
      await tracer.flush();
      assert.deepEqual(errors, []);
      return { ...under, tracer };
    }

    it('receives every span of a run with a subagent, parent/child links intact', async (t) => {
      const spans = await (await trace(t)).received();
      assert.deepEqual(spans.map((s) => s.path).sort(), EXPECTED_TREE);
      const ids = spans.filter((s) => s.spanId !== undefined);
      if (ids.length > 0) {
        assert.equal(ids.length, spans.length);
        assert.equal(new Set(ids.map((s) => s.spanId)).size, spans.length, 'span ids are unique');
        assert.equal(new Set(ids.map((s) => s.traceId)).size, 1, 'one trace');
      }
    });

    it('keeps status, error messages and the key attributes', async (t) => {
      const spans = await (await trace(t)).received();
      const at = (path: string) => spans.find((s) => s.path === path)!;
      assert.deepEqual({ status: at(`${STEP} > execute_tool ls`).status, errorMessage: at(`${STEP} > execute_tool ls`).errorMessage }, { status: 'error', errorMessage: 'ENOENT: no such directory' });
      assert.ok(spans.filter((s) => !s.path.endsWith('execute_tool ls')).every((s) => s.status === 'ok'));
      if (at(MAIN).attributes === undefined) return; // the exporter shows no attributes
      const attribute = (path: string, key: string) => at(path).attributes![key];
      assert.equal(attribute(MAIN, 'gen_ai.operation.name'), 'invoke_agent');
      assert.equal(attribute(MAIN, 'gen_ai.agent.name'), 'main');
      assert.equal(attribute(SUB, 'gen_ai.agent.name'), 'researcher');
      const chat = `${STEP} > chat test-model`;
      assert.equal(attribute(chat, 'gen_ai.operation.name'), 'chat');
      assert.equal(attribute(chat, 'gen_ai.request.model'), 'test-model');
      assert.equal(attribute(chat, 'gen_ai.usage.input_tokens'), 100);
      assert.equal(attribute(chat, 'gen_ai.usage.output_tokens'), 20);
      assert.deepEqual(attribute(chat, 'gen_ai.response.finish_reasons'), ['stop']);
      assert.equal(attribute(`${STEP} > execute_tool ls`, 'gen_ai.tool.name'), 'ls');
      assert.equal(attribute(`${STEP} > execute_tool ls`, 'gen_ai.tool.call.id'), 'call-ls');
    });

    it('lets no secret through: API keys, URL credentials and key query parameters are masked', async (t) => {
      const under = await trace(t, secretRun());
      const output = await under.output();
      for (const secret of SECRETS) assert.ok(!output.includes(secret), `"${secret}" leaked`);
      const ls = (await under.received()).find((s) => s.path.endsWith('execute_tool ls'))!;
      assert.match(ls.errorMessage ?? '', /^ENOENT: no such directory \(fetched https:\/\/api\.example\.com\/v1\/files with \[redacted\]\)/);
    });

    it('settles flush and shutdown, and a second shutdown', async (t) => {
      const { exporter, tracer } = await trace(t);
      await exporter.flush?.();
      await tracer.shutdown();
      await exporter.shutdown?.();
    });

    it('takes an export after shutdown harmlessly, or refuses it with an error saying it is closed', async (t) => {
      const { exporter, tracer } = await trace(t);
      await tracer.shutdown();
      const late: Span[] = [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), kind: 'run', name: 'invoke_agent late', runId: 'late', startTs: 1, endTs: 2, status: 'ok', attributes: {} }];
      try {
        await exporter.export(late);
      } catch (error) {
        assert.ok(error instanceof Error, `an Error, not ${String(error)}`);
        assert.match(error.message, /closed|shut down/);
      }
    });
  });
}

// ---- reading what each exporter produced back as ReceivedSpans ---------------------------------

/** Paths from parent links, for exporters that keep span ids. */
function withPaths(spans: Omit<ReceivedSpan, 'path'>[], names: Map<string, string>, parents: Map<string, string | undefined>): ReceivedSpan[] {
  const pathOf = (id: string): string => {
    const parent = parents.get(id);
    return parent === undefined ? names.get(id)! : `${pathOf(parent)} > ${names.get(id)}`;
  };
  return spans.map((span) => ({ ...span, path: pathOf(span.spanId!) }));
}

function fromSpans(spans: Span[]): ReceivedSpan[] {
  return withPaths(
    spans.map(({ traceId, spanId, status, errorMessage, attributes }) => ({ traceId, spanId, status, errorMessage, attributes })),
    new Map(spans.map((s) => [s.spanId, s.name])),
    new Map(spans.map((s) => [s.spanId, s.parentSpanId])),
  );
}

/**
 * The console's lines, children before parents and indented by depth: a line's parent is the first
 * later line indented less.
 */
function fromConsole(text: string): ReceivedSpan[] {
  const lines = text.trimEnd().split('\n').map((line) => {
    const match = /^( *)([✓✗]) (.+?)  .*?(?: — (.*))?$/.exec(line);
    assert.ok(match, `not a span line: ${line}`);
    return { indent: match[1]!.length, status: match[2] === '✓' ? ('ok' as const) : ('error' as const), name: match[3]!, errorMessage: match[4] };
  });
  const parentOf = (i: number) => lines.findIndex((line, j) => j > i && line.indent < lines[i]!.indent);
  const pathOf = (i: number): string => (parentOf(i) < 0 ? lines[i]!.name : `${pathOf(parentOf(i))} > ${lines[i]!.name}`);
  return lines.map((line, i) => ({ path: pathOf(i), status: line.status, ...(line.errorMessage === undefined ? {} : { errorMessage: line.errorMessage }) }));
}

// ---- the exporters ----------------------------------------------------------------------------

traceExporterContract({
  name: 'MemoryTraceExporter',
  create: async () => {
    const exporter = new MemoryTraceExporter();
    return { exporter, received: async () => fromSpans(exporter.spans), output: async () => JSON.stringify(exporter.spans) };
  },
});

traceExporterContract({
  name: 'ConsoleTraceExporter',
  create: async () => {
    const out = new StringWritable();
    return { exporter: new ConsoleTraceExporter({ stream: out, colour: false }), received: async () => fromConsole(out.text), output: async () => out.text };
  },
});

traceExporterContract({
  name: 'JsonlTraceExporter',
  create: async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'trace-contract-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'trace.jsonl');
    const output = () => readFile(path, 'utf8');
    const received = async () =>
      fromSpans(
        (await output())
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Span),
      );
    return { exporter: new JsonlTraceExporter({ path }), received, output };
  },
});

describe('over OTLP/HTTP to a collector on 127.0.0.1', () => {
  let collector: OtlpCollector;
  before(async () => {
    collector = await startOtlpCollector();
  });
  after(() => collector.close());

  traceExporterContract({
    name: 'OtelTraceExporter',
    create: async () => {
      collector.requests.length = 0;
      const received = async () => {
        const spans = collector.spans();
        return withPaths(
          spans.map((s) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            status: s.status?.code === 2 ? ('error' as const) : ('ok' as const),
            errorMessage: s.status?.message,
            attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, otlpAttribute(s, a.key)])),
          })),
          new Map(spans.map((s) => [s.spanId, s.name])),
          new Map(spans.map((s) => [s.spanId, s.parentSpanId || undefined])),
        );
      };
      return { exporter: new OtelTraceExporter({ url: collector.url }), received, output: async () => JSON.stringify(collector.requests) };
    },
  });
});
