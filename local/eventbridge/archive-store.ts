import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BusEvent } from './eventbridge-model';

export interface ArchivedEvent {
  /** when the event reached the bus, clock ms */
  at: number;
  event: BusEvent;
}

/**
 * Archived events per archive, as `<archive>.jsonl` files (read when a replay or a description asks for
 * them, so a long run does not hold every event it archived in memory), or without a directory in memory.
 */
export class ArchiveStore {
  private readonly inMemory = new Map<string, ArchivedEvent[]>();

  constructor(private readonly dir?: string) {}

  private file(archive: string) {
    return this.dir ? path.join(this.dir, `${archive}.jsonl`) : undefined;
  }

  private load(archive: string): ArchivedEvent[] {
    const file = this.file(archive);
    if (!file) return this.inMemory.get(archive) ?? [];
    return existsSync(file)
      ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ArchivedEvent)
      : [];
  }

  append(archive: string, entry: ArchivedEvent): void {
    const file = this.file(archive);
    if (!file) {
      const list = this.inMemory.get(archive) ?? [];
      list.push(entry);
      this.inMemory.set(archive, list);
      return;
    }
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
  }

  /** The archived events that reached the bus within [from, to], and within the retention period. */
  read(archive: string, from: number, to: number, retainedSince = 0): ArchivedEvent[] {
    return this.load(archive).filter((e) => e.at >= Math.max(from, retainedSince) && e.at <= to);
  }

  stats(archive: string, retainedSince = 0): { count: number; bytes: number } {
    const kept = this.load(archive).filter((e) => e.at >= retainedSince);
    return { count: kept.length, bytes: kept.reduce((sum, e) => sum + JSON.stringify(e.event).length, 0) };
  }
}
