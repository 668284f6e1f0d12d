import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where a stream consumer stands in one shard: after a sequence number, or done with a closed shard. */
export interface ShardCheckpoint {
  sequenceNumber?: string;
  finished?: boolean;
}

export interface CheckpointStore {
  get(key: string): ShardCheckpoint | undefined;
  set(key: string, checkpoint: ShardCheckpoint): void;
}

/** Checkpoints in memory and, given a file, on disk (written whole and renamed into place). */
export function createCheckpointStore(file?: string): CheckpointStore {
  const checkpoints: Record<string, ShardCheckpoint> =
    file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, ShardCheckpoint>) : {};
  return {
    get: (key) => checkpoints[key],
    set(key, checkpoint) {
      checkpoints[key] = checkpoint;
      if (!file) return;
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(checkpoints, null, 2));
      renameSync(`${file}.tmp`, file);
    },
  };
}
