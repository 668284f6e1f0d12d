import type { LocalClock } from '../clock';
import type { RecordStore } from './record-store';
import type { ConfigurationSet, EmailTemplate, RecordedEvent, StoredMessage } from './ses-model';

/** What the SES handlers share. */
export interface SesContext {
  clock: LocalClock;
  region: string;
  accountId: string;
  log: (line: string) => void;
  templates: RecordStore<EmailTemplate>;
  messages: RecordStore<StoredMessage>;
  configurationSets: Map<string, ConfigurationSet>;
  /** Records the events on the message and puts those its configuration set asks for on the bus. */
  recordEvents(message: StoredMessage, events: Omit<RecordedEvent, 'published'>[]): Promise<RecordedEvent[]>;
}

/** What a handler answers: JSON, or an HTML page. */
export type Reply = { status: number; json: unknown } | { status: number; html: string };
