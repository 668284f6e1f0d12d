import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { bareAddress, headerValue, splitAddressList } from './mime';
import { recipientsOf, type ConfigurationSet, type RecordedEvent, type SesEventType, type StoredMessage } from './ses-model';

/** The detail-type SES gives each event type on EventBridge. */
export const DETAIL_TYPES: Record<SesEventType, string> = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Open: 'Email Opened',
  Click: 'Email Clicked',
};

/** The SES mailbox simulator: `bounce@`, `complaint@`, `success@`, `suppressionlist@` (labels like `bounce+x@` too). */
const SIMULATOR: Record<string, 'bounce' | 'suppressed' | 'complaint'> = {
  bounce: 'bounce',
  suppressionlist: 'suppressed',
  complaint: 'complaint',
};
const simulatorOutcome = (address: string) =>
  SIMULATOR[/^([a-z]+)(?:\+[^@]*)?@simulator\.amazonses\.com$/.exec(bareAddress(address))?.[1] ?? ''];

/** What happens to a mail as SES sends it: sent, then delivered to some recipients, bounced or complained by others. */
export function sendingEvents(message: StoredMessage, now: string, processingTimeMillis: number): Omit<RecordedEvent, 'published'>[] {
  const recipients = recipientsOf(message).map(bareAddress);
  const bounced = recipients.filter((r) => ['bounce', 'suppressed'].includes(simulatorOutcome(r) ?? ''));
  const delivered = recipients.filter((r) => !bounced.includes(r));
  const complained = delivered.filter((r) => simulatorOutcome(r) === 'complaint');
  const feedbackId = () => `${randomUUID()}-000000`;
  const events: Omit<RecordedEvent, 'published'>[] = [{ eventType: 'Send', timestamp: now, details: {} }];
  if (delivered.length > 0) {
    events.push({
      eventType: 'Delivery',
      timestamp: now,
      details: {
        timestamp: now,
        processingTimeMillis,
        recipients: delivered,
        smtpResponse: '250 2.6.0 Message received',
        reportingMTA: 'local.smtp-out.amazonses.com',
        remoteMtaIp: '127.0.0.1',
      },
    });
  }
  if (bounced.length > 0) {
    const suppressed = bounced.every((r) => simulatorOutcome(r) === 'suppressed');
    events.push({
      eventType: 'Bounce',
      timestamp: now,
      details: {
        feedbackId: feedbackId(),
        bounceType: 'Permanent',
        bounceSubType: suppressed ? 'OnAccountSuppressionList' : 'General',
        bouncedRecipients: bounced.map((emailAddress) => ({
          emailAddress,
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        })),
        timestamp: now,
        reportingMTA: 'dns; local.smtp-out.amazonses.com',
      },
    });
  }
  if (complained.length > 0) {
    events.push({
      eventType: 'Complaint',
      timestamp: now,
      details: {
        feedbackId: feedbackId(),
        complaintSubType: null,
        complainedRecipients: complained.map((emailAddress) => ({ emailAddress })),
        timestamp: now,
        userAgent: 'Amazon SES Mailbox Simulator',
        complaintFeedbackType: 'abuse',
        arrivalDate: now,
      },
    });
  }
  return events;
}

/** The `mail` object every SES event carries. */
export function mailObject(message: StoredMessage, region: string, accountId: string): Record<string, unknown> {
  const source = bareAddress(message.from);
  const common = (name: string) => {
    const list = splitAddressList(headerValue(message.headers, name));
    return list.length > 0 ? list : undefined;
  };
  const tags: Record<string, string[]> = {
    ...(message.configurationSet ? { 'ses:configuration-set': [message.configurationSet] } : {}),
    'ses:source-ip': ['127.0.0.1'],
    'ses:from-domain': [source.split('@').pop() ?? source],
    'ses:caller-identity': ['local'],
    ...Object.fromEntries(Object.entries(message.tags).map(([name, value]) => [name, [value]])),
  };
  return {
    timestamp: message.timestamp,
    source: message.from,
    sourceArn: `arn:aws:ses:${region}:${accountId}:identity/${source}`,
    sendingAccountId: accountId,
    messageId: message.id,
    destination: recipientsOf(message),
    headersTruncated: false,
    headers: message.headers,
    commonHeaders: {
      from: common('From') ?? [message.from],
      ...(common('Reply-To') ? { replyTo: common('Reply-To') } : {}),
      to: common('To') ?? message.to,
      ...(common('Cc') ? { cc: common('Cc') } : {}),
      messageId: message.id,
      subject: message.subject,
    },
    tags,
  };
}

export interface EventPublisher {
  /** Puts the events the configuration set's destinations match on their buses; resolves with the event types published. */
  publish(set: ConfigurationSet | undefined, message: StoredMessage, events: Omit<RecordedEvent, 'published'>[]): Promise<Set<SesEventType>>;
  stop(): void;
}

export function createEventPublisher(opts: { edgeUrl: string; region: string; accountId: string; log: (line: string) => void }): EventPublisher {
  const client = new EventBridgeClient({
    endpoint: opts.edgeUrl,
    region: opts.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  const configurationSetArn = (name: string) => `arn:aws:ses:${opts.region}:${opts.accountId}:configuration-set/${name}`;

  return {
    async publish(set, message, events) {
      const published = new Set<SesEventType>();
      for (const destination of set?.destinations ?? []) {
        const matching = events.filter((e) => destination.eventTypes.has(e.eventType.toUpperCase()));
        if (matching.length === 0) continue;
        const mail = mailObject(message, opts.region, opts.accountId);
        const entries = matching.map((event) => ({
          Source: 'aws.ses',
          DetailType: DETAIL_TYPES[event.eventType],
          Detail: JSON.stringify({ eventType: event.eventType, mail, [event.eventType.toLowerCase()]: event.details }),
          Resources: [configurationSetArn(set!.name)],
          EventBusName: destination.busName,
          Time: new Date(event.timestamp),
        }));
        try {
          const result = await client.send(new PutEventsCommand({ Entries: entries }));
          result.Entries?.forEach((entry, i) => {
            if (entry.EventId) published.add(matching[i]!.eventType);
            else opts.log(`SES: PutEvents refused ${matching[i]!.eventType} of ${message.id}: ${entry.ErrorCode} ${entry.ErrorMessage}`);
          });
        } catch (error) {
          opts.log(`SES: could not put ${message.id}'s events on bus ${destination.busName}: ${String(error)}`);
        }
      }
      return published;
    },
    stop: () => client.destroy(),
  };
}
