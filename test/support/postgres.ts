/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a temp dir, started on a free port of
 * 127.0.0.1 (unix sockets in the temp dir, so nothing system-wide is touched), removed by `stop()`.
 * Set DEEP_AGENT_TEST_PG to a connection string to use that server instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const given = process.env.DEEP_AGENT_TEST_PG;
  if (given) return { connectionString: given, stop: async () => {} };

  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'deep-agent-pg-'));
  const data = join(dir, 'data');
  // PostgreSQL refuses to run as root: the cluster then belongs to the `postgres` OS user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(run('id', ['-u', 'postgres'], dir, false));
    const gid = Number(run('id', ['-g', 'postgres'], dir, false));
    chownSync(dir, uid, gid);
  }
  const pg = (tool: string, args: string[]) => run(join(bin, tool), args, dir, asRoot);

  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    spawnSync(...command(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w'], asRoot), { cwd: dir, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  // A test process that dies without stop() must not leave a server behind.
  process.once('exit', stopNow);

  try {
    pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    // Durability is not what these tests are about; startup and commits should be fast.
    writeFileSync(
      join(data, 'postgresql.auto.conf'),
      [`listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${dir}'`, 'fsync = off', 'full_page_writes = off', 'shared_buffers = 16MB', 'max_connections = 60', ''].join('\n'),
    );
    // The free port may be taken between looking and listening: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        pg('pg_ctl', ['start', '-D', data, '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', `-p ${port}`]);
        return {
          connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`,
          stop: async () => {
            process.removeListener('exit', stopNow);
            stopNow();
          },
        };
      } catch (error) {
        if (attempt === 3) throw new Error(`${(error as Error).message}\n${tail(join(dir, 'server.log'))}`);
      }
    }
  } catch (error) {
    process.removeListener('exit', stopNow);
    stopNow();
    throw error;
  }
}

/** The bin directory of an installed PostgreSQL 15 or newer. */
function findBinDir(): string {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // No pg_config: look where Debian installs the server.
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  for (const bin of candidates) {
    if (!existsSync(join(bin, 'initdb')) || !existsSync(join(bin, 'pg_ctl'))) continue;
    const version = /\b(\d+)(?:\.\d+)?/.exec(execFileSync(join(bin, 'initdb'), ['--version'], { encoding: 'utf8' }))?.[1];
    if (Number(version) >= 15) return bin;
  }
  throw new Error(
    'PostgreSQL 15 or newer (initdb, pg_ctl) is not installed, and the checkpoint store tests need it: ' +
      'install the Debian package postgresql (apt-get install postgresql), or set DEEP_AGENT_TEST_PG to a connection string',
  );
}

function command(file: string, args: string[], asPostgres: boolean): [string, string[]] {
  return asPostgres ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
}

function run(file: string, args: string[], cwd: string, asPostgres: boolean): string {
  const [cmd, argv] = command(file, args, asPostgres);
  // cwd: the postgres user may not be allowed into the caller's directory.
  const result = spawnSync(cmd, argv, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim() || result.error?.message || `exit ${result.status}`;
    throw new Error(`${[file, ...args].join(' ')} failed: ${output}`);
  }
  return result.stdout.trim();
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/** A port nothing listens on right now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
