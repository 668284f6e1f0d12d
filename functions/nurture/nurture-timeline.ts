/*
 * What an enrolment's timeline says to a marketer: each entry the engine wrote, in words, with the times
 * it waits for in the zone the engine reckoned them in ("waiting for the send window until Mon 7 Dec,
 * 09:00 Europe/Berlin").
 */

/** A timeline entry as the engine writes it: what happened, when, and what it needs to be told. */
export interface TimelineEntry {
  at: string;
  what: string;
  [detail: string]: unknown;
}

const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

export function timeInZone(iso: string, timeZone: string): string {
  const formatted = new Intl.DateTimeFormat('en-GB', {
    timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(new Date(iso));
  return `${formatted} ${timeZone}`;
}

/** One line for one entry; an entry this version does not know is shown by its name. */
export function describeTimelineEntry(entry: TimelineEntry): string {
  const zone = text(entry.timeZone) || 'UTC';
  const until = typeof entry.until === 'string' ? timeInZone(entry.until, zone) : '';
  const step = text(entry.stepId);
  switch (entry.what) {
    case 'enrolled':
      return `enrolled in version ${text(entry.sequenceVersion)} by ${text(entry.trigger)}`;
    case 'waiting-for-send-window':
      return `waiting for the send window until ${until} to send ${step}`;
    case 'waiting':
      return `waiting (${step}) until ${until}`;
    case 'waiting-for-engagement':
      return `waiting until ${until} for the mail of ${text(entry.mailStep)} to be ${text(entry.engagement)}`;
    case 'mail-sent':
      return `sent the mail of ${step} (${text(entry.template)})`;
    case 'mail-opened':
      return `the mail of ${step} was opened`;
    case 'mail-clicked':
      return `a link in the mail of ${step} was clicked`;
    case 'qualified':
      return `qualified at ${text(entry.score)} points${entry.opportunityId ? `; opportunity ${text(entry.opportunityId)} created for the owner` : ''}`;
    case 'completed':
      return 'completed the sequence';
    case 'exited':
      return `left the sequence: ${text(entry.reason)}`;
    default:
      if (entry.what.startsWith('score-')) return `score ${Number(entry.by) >= 0 ? '+' : ''}${text(entry.by)} (${entry.what.slice('score-'.length)}), now ${text(entry.score)}`;
      return entry.what;
  }
}
