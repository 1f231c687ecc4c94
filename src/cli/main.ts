/** `deep-agent`: the headless shell over the agent core. */
import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { runDemo } from './demo';
import { checkedPrompt, checkpointFrequencies, defaultCheckpointFrequency } from './checkpointing';
import { checkpointLocation } from '../core';
import { registerMemoryCommand } from './memory';
import { withRunMemoryOptions } from './memoryOptions';
import { collect, oneOf, positiveInteger, positiveNumber, url, UsageError, type RunOptions } from './options';
import { resumeTask } from './resume';
import { registerRunsCommand } from './runs';
import { checkRunOptions, runTask, type CliIO } from './runTask';

declare const PACKAGE_VERSION: string | undefined;
const version = typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : 'dev';

export async function main(argv: string[], io: CliIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('deep-agent')
    .description('Run deep agents (planning, files, subagents, skills) against any OpenAI-compatible model.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) });

  const run = program
    .command('run')
    .description('run a task in a workspace')
    .argument('[prompt]', 'the task (not needed with --resume)')
    .option('--workspace <dir>', 'root of the file tools', process.cwd())
    .option('--base-url <url>', 'OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 (env DEEP_AGENT_BASE_URL)', url('--base-url'))
    .option('--model <name>', 'model name (env DEEP_AGENT_MODEL)')
    .option('--api-key-env <name>', 'environment variable holding the API key', 'OPENAI_API_KEY')
    .option('--events', 'print every event as one JSON object per line on stdout', false)
    .option('--record <file>', 'record model calls to this fixture file')
    .option('--replay <file>', 'answer model calls from this fixture file')
    .option('--strict', 'with --replay: fail on a call the fixture lacks instead of calling the model', false)
    .option('--max-iterations <n>', 'stop after this many model calls', positiveInteger('--max-iterations'))
    .option('--max-tokens <n>', 'stop when the run has used this many tokens', positiveInteger('--max-tokens'))
    .option('--max-cost <usd>', 'stop when the run has cost this many US dollars', positiveNumber('--max-cost'))
    .option('--timeout <seconds>', 'stop after this many seconds', positiveNumber('--timeout'))
    .option('--search-timeout <seconds>', 'stop a grep or glob after this many seconds (default 10)', positiveNumber('--search-timeout'))
    .option('--permissive', 'budgets warn instead of stopping the run', false)
    .option('--skills <dir>', 'a directory of skills (repeatable)', collect, [])
    .option('--trace <file>', 'write trace spans to this JSONL file')
    .option('--trace-console', 'print trace spans on stderr', false)
    .addOption(new Option('--otlp <url>', 'export traces over OTLP/HTTP, e.g. http://127.0.0.1:4318/v1/traces').argParser(url('--otlp')))
    .option('--checkpoint-dir <dir>', 'journal the run in this directory (or PostgreSQL URL, postgres://user@host/db) and take checkpoints, so it can be resumed')
    .option('--resume <run>', 'with --checkpoint-dir: go on with a run: its id, "latest" (the newest interrupted or cancelled run) or a checkpoint id')
    .option(
      '--checkpoint-every <when>',
      `with --checkpoint-dir: take a checkpoint after every ${checkpointFrequencies.join(' | ')} (default: ${defaultCheckpointFrequency})`,
      oneOf('--checkpoint-every', checkpointFrequencies),
    );
  withRunMemoryOptions(run).action(async (prompt: string | undefined, raw: RunOptions, command: Command) => {
      const options = { ...raw, workspace: resolve(raw.workspace), checkpointDir: raw.checkpointDir && checkpointLocation(raw.checkpointDir) };
      if (options.resume !== undefined) {
        checkedPrompt(prompt, options, io);
        exitCode = await resumeTask(options, givenOnCommandLine(command), io);
        return;
      }
      const checked = checkRunOptions(prompt, options, io);
      exitCode = await runTask(checked, options, undefined, io);
    });

  program
    .command('demo')
    .description('run a demo task from a bundled recording (no model needed)')
    .option('--workspace <dir>', 'where to create the demo workspace (default: a new temporary folder)')
    .option('--events', 'print every event as one JSON object per line', false)
    .action(async (raw: { workspace?: string; events: boolean }) => {
      exitCode = await runDemo(raw, io);
    });

  registerRunsCommand(program, io, (code) => (exitCode = code));
  registerMemoryCommand(program, io, (code) => (exitCode = code));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      io.err.write(`deep-agent: ${error.message}\n`);
      return 2;
    }
    io.err.write(`deep-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    // Ctrl-C stopped the work (a memory import): the exit code says so, as a cancelled run's does.
    return io.signal.aborted ? 130 : 1;
  }
}

/** The options the user typed, as opposed to defaults: a resume takes the rest from the run. */
const givenOnCommandLine = (command: Command) => new Set(Object.keys(command.opts()).filter((key) => command.getOptionValueSource(key) === 'cli'));

if (require.main === module) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  void main(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, signal: controller.signal }).then((code) => {
    process.exitCode = code;
  });
}
