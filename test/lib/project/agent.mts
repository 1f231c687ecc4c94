/**
 * An ES module using the installed package by name: a deep agent with file tools over a directory,
 * recording its model calls (`record`, against DEEP_AGENT_BASE_URL) or replaying them (`replay`).
 * Usage: node out/agent.mjs record|replay WORKSPACE FIXTURE; prints the result and every event as JSON.
 */
import { createDeepAgent, FilesystemBackend, OpenAICompatibleModel, RecordingModel, ReplayModel, runStream, type ChatModel, type RunEvent } from 'deep-agent-workbench';

const [mode, workspace, fixture] = process.argv.slice(2);
if ((mode !== 'record' && mode !== 'replay') || !workspace || !fixture) throw new Error('usage: agent.mjs record|replay WORKSPACE FIXTURE');

const model: ChatModel =
  mode === 'record'
    ? new RecordingModel(new OpenAICompatibleModel({ baseURL: process.env.DEEP_AGENT_BASE_URL!, model: 'scripted-model', apiKey: process.env.OPENAI_API_KEY }), fixture)
    : new ReplayModel(fixture, { mode: 'strict' });
const agent = createDeepAgent({ model, instructions: 'Answer from the notes.' });
const stream = runStream(agent, 'Find the answer in the notes and write it to ANSWER.md', { backend: new FilesystemBackend({ root: workspace }) });
const events: RunEvent[] = [];
for await (const event of stream) events.push(event);
const { status, output } = await stream.result;
console.log(JSON.stringify({ status, output, events }));
