/**
 * Where runs are journaled (`checkpoints.location`, the CLI's `--checkpoint-dir`): a directory (the file store), or a PostgreSQL URL (the
 * PostgreSQL store, for teams and CI machines that keep run history on a server). A password is
 * best given in PGPASSWORD; one in the URL is never printed back.
 */
import { resolve } from 'node:path';
import { FileCheckpointStore } from '../checkpoint/fileStore';
import { PgCheckpointStore } from '../checkpoint/pgStore';
import type { CheckpointStore } from '../checkpoint/store';

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//i.test(location);

/** A directory is made absolute; a URL stays as it is. */
export const checkpointLocation = (value: string) => (isPostgresUrl(value) ? value : resolve(value));

export function checkpointStore(location: string): CheckpointStore {
  return isPostgresUrl(location) ? new PgCheckpointStore({ connectionString: location }) : new FileCheckpointStore(location);
}

/** The location as it may be shown: a URL without its password. */
export function shownLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const url = new URL(location);
    url.password = '';
    return url.toString();
  } catch {
    return 'the PostgreSQL URL given';
  }
}
