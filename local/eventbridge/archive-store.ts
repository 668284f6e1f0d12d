import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BusEvent } from './eventbridge-model';

export interface ArchivedEvent {
  /** when the event reached the bus, clock ms */
  at: number;
  event: BusEvent;
}

/** Archived events per archive, in memory and (with a directory) as `<archive>.jsonl` files. */
export class ArchiveStore {
  private readonly events = new Map<string, ArchivedEvent[]>();

  constructor(private readonly dir?: string) {}

  private file(archive: string) {
    return this.dir ? path.join(this.dir, `${archive}.jsonl`) : undefined;
  }

  private load(archive: string): ArchivedEvent[] {
    let list = this.events.get(archive);
    if (!list) {
      const file = this.file(archive);
      list =
        file && existsSync(file)
          ? readFileSync(file, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line) as ArchivedEvent)
          : [];
      this.events.set(archive, list);
    }
    return list;
  }

  append(archive: string, entry: ArchivedEvent): void {
    this.load(archive).push(entry);
    const file = this.file(archive);
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      appendFileSync(file, `${JSON.stringify(entry)}\n`);
    }
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
