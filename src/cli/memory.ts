/** `deep-agent memory`: add, import, search, list, delete and count the memories `run --memory` recalls. */
import type { Command } from 'commander';
import { earlierMemories, memoryTypes, openMemory, reembedEarlier, shownLocation, type MemoryConfig, type MemoryFilter, type MemoryManager, type MemoryMetadata, type MemoryType } from '../core';
import { existingFile } from './fileLines';
import { importMemories, type ImportOptions } from './memoryImport';
import { embedderShown, memoryJson, memoryTable } from './memoryOutput';
import { memoryCommandConfig, withMemoryCommandOptions, type MemoryCommandOptions } from './memoryOptions';
import { checkedQuery, retrievalModes, searchMemories, type SearchOptions } from './memorySearch';
import { nonNegativeInteger, oneOf, positiveInteger, UsageError } from './options';
import type { CliIO } from './runTask';

type Work = (manager: MemoryManager, config: MemoryConfig) => Promise<number>;

export function registerMemoryCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const memory = program.command('memory').description('add, import, search, list and delete long-term memories (the ones run --memory recalls)');
  const sub = (name: string) => withMemoryCommandOptions(memory.command(name));
  const run = (options: MemoryCommandOptions, work: Work) => withMemory(options, io, work).then(setExitCode);
  const typeHelp = `only memories of this type: ${memoryTypes.join(', ')}`;
  const type = oneOf('--type', memoryTypes);

  sub('add')
    .description('add a memory and print its id (a long text is split, one id a line)')
    .argument('<text>', 'what to remember')
    .option('--type <type>', `${memoryTypes.join(', ')} (default semantic)`, type)
    .option('--importance <x>', '0 to 1 (default 0.5)', fraction('--importance'))
    .option('--metadata <json>', 'a JSON object kept with the memory and returned with every result', jsonObject('--metadata'))
    .action((text: string, o: MemoryCommandOptions & { type?: MemoryType; importance?: number; metadata?: MemoryMetadata }) => {
      if (!text.trim()) throw new UsageError('the text to remember is empty');
      return run(o, async (manager) => {
        const added = await manager.add([{ content: text, memoryType: o.type, importance: o.importance, metadata: o.metadata }]);
        for (const m of added) io.out.write(`${m.id}\n`);
        return 0;
      });
    });

  sub('import')
    .description('add the memories of a JSON Lines file, one {"content", "type", "metadata", "timestamp", "importance"} a line (only content is needed; blank lines are skipped). With a bad line nothing is imported, unless --skip-invalid')
    .argument('<file>', 'the .jsonl file')
    .option('--skip-invalid', 'import the good lines and name the bad ones, instead of importing nothing', false)
    .option('--progress', 'report progress on stderr (default: when stderr is a terminal)')
    .action((file: string, o: MemoryCommandOptions & ImportOptions) => {
      existingFile(file, 'import file');
      return run(o, (manager) => importMemories(file, manager, o, io));
    });

  sub('search')
    .description('the memories most relevant to a query, best first (ranked by relevance, recency and importance)')
    .argument('[query]', 'what to look for')
    .option('--queries <file>', 'answer every query of this file (one a line; blank lines are skipped); each result carries its query\'s 0-based line number as "query"')
    .option('--limit <n>', 'results per query', positiveInteger('--limit'), 10)
    .option('--type <type>', typeHelp, type)
    .option('--mode <mode>', retrievalModes.join(' | '), oneOf('--mode', retrievalModes), 'hybrid')
    .option('--json', 'one JSON object a line: id, content, type, metadata, timestamp, importance, scope, provenance, score', false)
    .action((query: string | undefined, o: MemoryCommandOptions & SearchOptions) => {
      checkedQuery(query, o.queries);
      return run(o, (manager) => searchMemories(query, manager, o, io));
    });

  sub('list')
    .description('list memories, newest first: of every scope, or with --scope of that scope and global')
    .option('--type <type>', typeHelp, type)
    .option('--limit <n>', 'how many', positiveInteger('--limit'), 50)
    .option('--offset <n>', 'skip this many of the newest first', nonNegativeInteger('--offset'), 0)
    .option('--json', 'one JSON object a line, as memory import reads them', false)
    .action((o: MemoryCommandOptions & { type?: MemoryType; limit: number; offset: number; json: boolean }) =>
      run(o, async (manager) => {
        const filter: MemoryFilter = { ...(o.type ? { memoryType: o.type } : {}), ...(o.scope ? { scope: manager.visibleScopes } : {}) };
        const page = await manager.list({ filter, offset: o.offset, limit: o.limit, order: 'newest' });
        if (o.json) for (const m of page) io.out.write(`${memoryJson(m)}\n`);
        else io.out.write(page.length ? memoryTable(page) : 'no memories\n');
        const total = await manager.count(filter);
        const shownTo = o.offset + page.length;
        if (total > shownTo) io.err.write(`deep-agent: showing ${page.length ? `${o.offset + 1}–${shownTo}` : 'none'} of ${total}; --offset ${shownTo} for more\n`);
        return 0;
      }),
    );

  sub('delete')
    .description('delete memories by id; says how many there were (exit 1 when an id has none)')
    .argument('<ids...>', 'the ids, as add, search and list show them')
    .action((ids: string[], o: MemoryCommandOptions) =>
      run(o, async (manager) => {
        const unique = [...new Set(ids)];
        const found = await Promise.all(unique.map((id) => manager.get(id)));
        const missing = unique.filter((_, i) => !found[i]);
        const deleted = await manager.forget(unique.filter((_, i) => found[i]));
        io.out.write(`deleted ${deleted} ${deleted === 1 ? 'memory' : 'memories'}\n`);
        for (const id of missing) io.err.write(`deep-agent: no memory has the id ${id}\n`);
        return missing.length ? 1 : 0;
      }),
    );

  sub('reembed')
    .description("embed the memories kept for other embedding models with this one (each model has its own table; the old ones stay as they were)")
    .action((o: MemoryCommandOptions) =>
      run(o, async (manager, config) => {
        const earlier = await earlierMemories(config, manager.embedder.model);
        if (earlier.length === 0) {
          io.out.write(`nothing to re-embed: no memories of other models in ${shownLocation(config.store)}\n`);
          return 0;
        }
        io.err.write(`re-embedding ${earlier.map((e) => `${e.count} of ${e.space.model}`).join(', ')} with ${embedderShown(manager)}\n`);
        const done = await reembedEarlier(manager, config, { signal: io.signal, onProgress: (n, total) => io.err.write(`  ${n}/${total}\n`) });
        io.out.write(`re-embedded ${done} ${done === 1 ? 'memory' : 'memories'}\n`);
        return 0;
      }),
    );

  sub('stats')
    .description('how many memories of each type, where they are kept and how they are embedded')
    .option('--json', 'print a JSON object', false)
    .action((o: MemoryCommandOptions & { json: boolean }) =>
      run(o, async (manager, config) => {
        const stats = { ...(await manager.stats()), location: shownLocation(config.store) };
        if (o.json) {
          io.out.write(`${JSON.stringify(stats)}\n`);
          return 0;
        }
        const types = memoryTypes.map((t) => `  ${t.padEnd(11)} ${stats.byType[t]}`);
        io.out.write([`store     ${stats.store} at ${stats.location}`, `embedder  ${embedderShown(manager)}`, `memories  ${stats.total}`, ...types, ''].join('\n'));
        return 0;
      }),
    );
}

/** A store still empty for this model, with memories of another: they are not seen until re-embedded. */
async function tellOfEarlierModels(manager: MemoryManager, config: MemoryConfig, io: CliIO): Promise<void> {
  if ((await manager.count()) > 0) return;
  for (const e of await earlierMemories(config, manager.embedder.model)) {
    io.err.write(`deep-agent: note: ${e.count} ${e.count === 1 ? 'memory was' : 'memories were'} embedded with ${e.space.model}; \`deep-agent memory reembed\` makes them searchable with ${manager.embedder.model}\n`);
  }
}

/** Opens the store the flags name, does the work, and closes it whatever happens. */
async function withMemory(options: MemoryCommandOptions, io: CliIO, work: Work): Promise<number> {
  const config = memoryCommandConfig(options);
  // openMemory warns when no model was at hand and the hashing fallback embeds: which embedder is used decides which memories are seen.
  const manager = await openMemory(config, { env: io.env, onWarning: (message) => io.err.write(`deep-agent: warning: ${message}\n`) });
  try {
    await tellOfEarlierModels(manager, config, io);
    return await work(manager, config);
  } finally {
    await manager.close();
  }
}

function fraction(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(value.trim() !== '' && n >= 0 && n <= 1)) throw new UsageError(`${flag} must be a number from 0 to 1, got "${value}"`);
    return n;
  };
}

function jsonObject(flag: string) {
  return (value: string): MemoryMetadata => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new UsageError(`${flag} is not JSON (${(error as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`${flag} must be a JSON object, like '{"source": "notes"}'`);
    return parsed as MemoryMetadata;
  };
}
