import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Records kept in memory and, given a directory, one JSON file each, so they survive a restart. */
export interface RecordStore<T> {
  get(key: string): T | undefined;
  put(key: string, record: T): void;
  delete(key: string): boolean;
  values(): T[];
  clear(): void;
}

export function createRecordStore<T>(dir?: string): RecordStore<T> {
  const records = new Map<string, T>();
  const fileOf = (key: string) => path.join(dir!, `${encodeURIComponent(key)}.json`);
  if (dir) {
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      records.set(decodeURIComponent(file.slice(0, -'.json'.length)), JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T);
    }
  }
  return {
    get: (key) => records.get(key),
    put(key, record) {
      records.set(key, record);
      if (!dir) return;
      // write then rename, so a crash never leaves half a record behind
      const temporary = `${fileOf(key)}.tmp`;
      writeFileSync(temporary, JSON.stringify(record, null, 2));
      renameSync(temporary, fileOf(key));
    },
    delete(key) {
      if (dir) rmSync(fileOf(key), { force: true });
      return records.delete(key);
    },
    values: () => [...records.values()],
    clear() {
      for (const key of [...records.keys()]) this.delete(key);
    },
  };
}
