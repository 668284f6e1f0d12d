import type { MessageHeader } from './mime';

export interface EmailTemplate {
  name: string;
  subject?: string;
  text?: string;
  html?: string;
  createdAt: string;
}

/** An SES event as the mail catcher records it: `eventType` plus that event's own object (delivery, open, ...). */
export interface RecordedEvent {
  eventType: SesEventType;
  timestamp: string;
  /** whether a configuration set's EventBridge destination took it onto the bus */
  published: boolean;
  details: Record<string, unknown>;
}

export interface StoredMessage {
  id: string;
  timestamp: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text?: string;
  html?: string;
  headers: MessageHeader[];
  tags: Record<string, string>;
  configurationSet?: string;
  template?: { name?: string; data: unknown };
  events: RecordedEvent[];
}

export const SES_EVENT_TYPES = ['Send', 'Delivery', 'Bounce', 'Complaint', 'Open', 'Click'] as const;
export type SesEventType = (typeof SES_EVENT_TYPES)[number];

export interface EventBridgeDestination {
  name: string;
  /** upper-case SESv2 event types (SEND, DELIVERY, ...); CloudFormation also accepts `send`, `bounce`, ... */
  eventTypes: Set<string>;
  busName: string;
}

export interface ConfigurationSet {
  name: string;
  destinations: EventBridgeDestination[];
}

export const recipientsOf = (message: Pick<StoredMessage, 'to' | 'cc' | 'bcc'>) => [...message.to, ...message.cc, ...message.bcc];
