/**
 * A real HTTP server on 127.0.0.1 that speaks the OpenAI Chat Completions protocol (SSE streaming
 * with tool-call deltas, usage chunks, error statuses, Retry-After), scripted per test, so the real
 * `openai` client is exercised over the wire.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ScriptedToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent as is (so tests can send malformed JSON). */
  arguments: unknown;
  id?: string;
}

/** A normal streamed answer. */
export interface ScriptedAnswer {
  /** The text, or its chunks. */
  text?: string | string[];
  toolCalls?: ScriptedToolCall[];
  usage?: { prompt: number; completion: number };
  finishReason?: string;
  /** Pause before each chunk, in ms (for benchmarks and cancellation tests). */
  chunkDelayMs?: number;
  /** Pause before the response starts, in ms. */
  latencyMs?: number;
  /** Thinking streamed before the text, as a reasoning model's server sends it. */
  reasoning?: string[];
  /** Wire quirks of real servers (see WireQuirks). */
  quirks?: WireQuirks;
}

/** How real OpenAI-compatible servers depart from OpenAI's stream, as publicly reported. */
export interface WireQuirks {
  /**
   * 'all-zero': every tool call is `index: 0` with its own id, sent whole in one delta (Ollama 0.20).
   * 'omitted': no `index` at all; the call's later argument pieces come with no id, and its head
   * carries a thought signature in `extra_content` that must come back with the call (Gemini).
   */
  toolCallIndex?: 'all-zero' | 'omitted';
  /** 'omitted': no finish_reason is ever sent (some gateways); 'empty': it is `""` (older Ollama). */
  finishReason?: 'omitted' | 'empty';
  /** The field thinking comes in: `reasoning_content` (DeepSeek, vLLM; the default) or `reasoning` (Ollama, OpenRouter). */
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** The response ends without `data: [DONE]` (the socket is closed properly). */
  noDone?: boolean;
}

/** An HTTP error reply. */
export interface ScriptedError {
  status: number;
  message?: string;
  headers?: Record<string, string>;
}

/** The connection is cut after `afterChunks` chunks of the given answer. */
export interface ScriptedHangUp {
  hangUpAfterChunks: number;
  answer: ScriptedAnswer;
}

export type ScriptedReply = ScriptedAnswer | ScriptedError | ScriptedHangUp;

export interface ReceivedRequest {
  body: ChatCompletionBody;
  headers: IncomingMessage['headers'];
}

export interface ChatCompletionBody {
  model: string;
  messages: { role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string; description: string; parameters: unknown } }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

export type Script = ScriptedReply[] | ((request: ChatCompletionBody, index: number) => ScriptedReply);

/** What POST /v1/embeddings received. */
export interface EmbeddingsBody {
  model: string;
  input: string[];
  encoding_format?: string;
  [key: string]: unknown;
}

/** An embeddings reply: vectors (sent as OpenAI sends them, in order, with indexes), or any JSON body as is. */
export type ScriptedEmbeddings = { vectors: unknown[] } | { body: unknown };

export type EmbeddingsScript = (request: EmbeddingsBody, index: number) => ScriptedEmbeddings | ScriptedError;

export interface ScriptedServer {
  /** Base URL for the openai client, ending in /v1. */
  url: string;
  requests: ReceivedRequest[];
  embeddingRequests: { body: EmbeddingsBody; headers: IncomingMessage['headers'] }[];
  /** Models listed at GET /v1/models. */
  models: string[];
  close(): Promise<void>;
}

const isError = (r: ScriptedReply): r is ScriptedError => 'status' in r;
const isHangUp = (r: ScriptedReply): r is ScriptedHangUp => 'hangUpAfterChunks' in r;

export interface ScriptedServerOptions {
  models?: string[];
  /** Answer HTTP 400 to any request with `stream_options`, as some gateways do. */
  rejectStreamOptions?: boolean;
  /** Answers POST /v1/embeddings (404 without it). */
  embeddings?: EmbeddingsScript;
}

export async function startScriptedServer(script: Script, options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const requests: ReceivedRequest[] = [];
  const embeddingRequests: ScriptedServer['embeddingRequests'] = [];
  let scripted = 0;
  const sockets = new Set<Socket>();
  const models = options.models ?? ['scripted-model'];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `scripted server: ${String(error)}` } }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'scripted' })) }));
      return;
    }
    if (req.method === 'POST' && req.url?.endsWith('/embeddings') && options.embeddings) {
      const body = JSON.parse(await readBody(req)) as EmbeddingsBody;
      embeddingRequests.push({ body, headers: req.headers });
      const reply = options.embeddings(body, embeddingRequests.length - 1);
      if ('status' in reply) return sendError(res, reply);
      const data = 'body' in reply ? reply.body : embeddingsReply(body, reply.vectors);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(await readBody(req)) as ChatCompletionBody;
    requests.push({ body, headers: req.headers });
    if (options.rejectStreamOptions && body.stream_options !== undefined) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Unrecognized request argument supplied: stream_options', type: 'invalid_request_error' } }));
      return;
    }
    // Refused requests take no reply from the script.
    const index = scripted++;
    const reply = typeof script === 'function' ? script(body, index) : script[index];
    if (!reply) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `scripted server: no reply scripted for request #${index + 1}` } }));
      return;
    }
    if (isError(reply)) return sendError(res, reply);
    const answer = isHangUp(reply) ? reply.answer : reply;
    const cutAfter = isHangUp(reply) ? reply.hangUpAfterChunks : Infinity;
    if (answer.latencyMs) await delay(answer.latencyMs);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let sent = 0;
    for (const chunk of sseChunks(body.model, answer, body.stream_options?.include_usage === true)) {
      if (sent === cutAfter) {
        req.socket.destroy();
        return;
      }
      if (answer.chunkDelayMs) await delay(answer.chunkDelayMs);
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      sent++;
    }
    res.end(answer.quirks?.noDone ? '' : 'data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    embeddingRequests,
    models,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The chunks of one streamed answer, in the order OpenAI sends them (or a quirky server). */
export function* sseChunks(model: string, answer: ScriptedAnswer, includeUsage: boolean): Generator<object> {
  const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: 0, model };
  const quirks = answer.quirks ?? {};
  const choice = (delta: object, finishReason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  yield choice({ role: 'assistant', content: '' });
  for (const thought of answer.reasoning ?? []) yield choice({ [quirks.reasoningField ?? 'reasoning_content']: thought });
  const texts = answer.text === undefined ? [] : Array.isArray(answer.text) ? answer.text : [answer.text];
  for (const text of texts) yield choice({ content: text });
  const calls = answer.toolCalls ?? [];
  for (const [index, call] of calls.entries()) yield* toolCallDeltas(call, index, quirks).map((piece) => choice({ tool_calls: [piece] }));
  const finishReason = answer.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop');
  if (quirks.finishReason === 'empty') yield choice({}, '');
  else if (quirks.finishReason !== 'omitted') yield choice({}, finishReason);
  if (includeUsage) {
    const usage = answer.usage ?? { prompt: 10, completion: 5 };
    yield {
      ...base,
      choices: [],
      usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
    };
  }
}

/** The deltas of one tool call: a head with id and name, then the arguments in two pieces, as real servers stream them. */
function toolCallDeltas(call: ScriptedToolCall, index: number, quirks: WireQuirks): object[] {
  const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
  const id = call.id ?? `call_${index + 1}`;
  if (quirks.toolCallIndex === 'all-zero') return [{ index: 0, id, type: 'function', function: { name: call.name, arguments: args } }];
  const half = Math.ceil(args.length / 2);
  const pieces = [args.slice(0, half), args.slice(half)].filter(Boolean);
  if (quirks.toolCallIndex === 'omitted') {
    // Gemini 3 also signs each call, and refuses a follow-up that does not send the signature back.
    const signature = { google: { thought_signature: `signature-of-${id}` } };
    return [{ id, type: 'function', function: { name: call.name, arguments: '' }, extra_content: signature }, ...pieces.map((piece) => ({ id: '', type: '', function: { arguments: piece } }))];
  }
  return [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }, ...pieces.map((piece) => ({ index, function: { arguments: piece } }))];
}

function sendError(res: ServerResponse, reply: ScriptedError): void {
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(JSON.stringify({ error: { message: reply.message ?? `scripted error ${reply.status}`, type: 'scripted' } }));
}

function embeddingsReply(body: EmbeddingsBody, vectors: unknown[]): object {
  return {
    object: 'list',
    model: body.model,
    data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
    usage: { prompt_tokens: body.input.length, total_tokens: body.input.length },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
