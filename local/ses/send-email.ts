import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from './ses-errors';
import { headerValue, parseMime, splitAddressList, type MessageHeader } from './mime';
import type { EmailTemplate, StoredMessage } from './ses-model';
import { renderTemplate } from './render-template';

/* eslint-disable @typescript-eslint/no-explicit-any -- the request is JSON the SDK built; each field is checked where it is read */

const MAX_RECIPIENTS = 50;

// ids sort in sending order (time, then a counter for mail sent within one millisecond)
let sequence = 0;
const messageId = (now: number) =>
  `${now.toString(16).padStart(12, '0')}${(sequence++ % 0x10000).toString(16).padStart(4, '0')}-${randomUUID()}-000000`;

/**
 * Turns an SESv2 SendEmail request (`POST /v2/email/outbound-emails`) into the mail SES would send:
 * Content.Simple, Content.Raw (base64 MIME) or Content.Template (by name, ARN or inline content).
 */
export function composeMessage(request: any, now: number, findTemplate: (name: string) => EmailTemplate | undefined): Omit<StoredMessage, 'events'> {
  const content = request?.Content ?? {};
  const kinds = ['Simple', 'Raw', 'Template'].filter((k) => content[k] !== undefined);
  if (kinds.length !== 1) throw badRequest('Content must contain exactly one of Simple, Raw or Template');

  const destination = {
    to: strings(request.Destination?.ToAddresses),
    cc: strings(request.Destination?.CcAddresses),
    bcc: strings(request.Destination?.BccAddresses),
  };
  const composed: Composed = content.Raw ? fromRaw(content.Raw, destination) : { ...destination, ...fromParts(content, findTemplate) };
  const from = request.FromEmailAddress ?? composed.from;
  if (!from) throw badRequest('Missing required parameter FromEmailAddress');
  const recipients = [...composed.to, ...composed.cc, ...composed.bcc];
  if (recipients.length === 0) throw badRequest('Missing required parameter Destination: at least one recipient is required');
  if (recipients.length > MAX_RECIPIENTS) throw badRequest(`Recipient count exceeds ${MAX_RECIPIENTS}`);

  const id = messageId(now);
  const replyTo = strings(request.ReplyToAddresses);
  const headers = content.Raw
    ? composed.headers
    : [...envelopeHeaders(from, composed, replyTo, id), ...composed.headers];
  return {
    id,
    timestamp: new Date(now).toISOString(),
    from,
    to: composed.to,
    cc: composed.cc,
    bcc: composed.bcc,
    replyTo: replyTo.length > 0 ? replyTo : splitAddressList(headerValue(headers, 'Reply-To')),
    subject: composed.subject,
    ...(composed.text !== undefined ? { text: composed.text } : {}),
    ...(composed.html !== undefined ? { html: composed.html } : {}),
    headers,
    tags: Object.fromEntries(((request.EmailTags ?? []) as any[]).map((t) => [String(t.Name), String(t.Value)])),
    ...(request.ConfigurationSetName ? { configurationSet: String(request.ConfigurationSetName) } : {}),
    ...(composed.template ? { template: composed.template } : {}),
  };
}

interface Composed {
  from?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text?: string;
  html?: string;
  headers: MessageHeader[];
  template?: StoredMessage['template'];
}

function fromRaw(raw: any, destination: Pick<Composed, 'to' | 'cc' | 'bcc'>): Composed {
  if (typeof raw.Data !== 'string' || raw.Data === '') throw badRequest('Raw.Data is required');
  const mime = parseMime(Buffer.from(raw.Data, 'base64').toString('utf8'));
  const header = (name: string) => splitAddressList(headerValue(mime.headers, name));
  const hasDestination = destination.to.length + destination.cc.length + destination.bcc.length > 0;
  return {
    from: headerValue(mime.headers, 'From'),
    // without a Destination, SES sends to the message's own To, Cc and Bcc headers
    ...(hasDestination ? destination : { to: header('To'), cc: header('Cc'), bcc: header('Bcc') }),
    subject: headerValue(mime.headers, 'Subject') ?? '',
    ...(mime.text !== undefined ? { text: mime.text } : {}),
    ...(mime.html !== undefined ? { html: mime.html } : {}),
    headers: mime.headers,
  };
}

function fromParts(content: any, findTemplate: (name: string) => EmailTemplate | undefined): Omit<Composed, 'to' | 'cc' | 'bcc'> {
  if (content.Simple) {
    const simple = content.Simple;
    const subject = simple.Subject?.Data;
    if (typeof subject !== 'string') throw badRequest('Simple.Subject.Data is required');
    const text = simple.Body?.Text?.Data;
    const html = simple.Body?.Html?.Data;
    if (text === undefined && html === undefined) throw badRequest('Simple.Body must contain Text or Html');
    return { subject, text, html, headers: messageHeaders(simple.Headers) };
  }
  const spec = content.Template;
  const name: string | undefined = spec.TemplateName ?? spec.TemplateArn?.split(':template/').pop();
  const template = spec.TemplateContent
    ? { subject: spec.TemplateContent.Subject, text: spec.TemplateContent.Text, html: spec.TemplateContent.Html }
    : name
      ? findTemplate(name)
      : undefined;
  if (!template) throw notFound(name ? `Template ${name} does not exist.` : 'TemplateName, TemplateArn or TemplateContent is required');
  let data: unknown;
  try {
    data = JSON.parse(spec.TemplateData ?? '{}');
  } catch {
    throw badRequest('TemplateData is not valid JSON');
  }
  return {
    subject: renderTemplate(template.subject ?? '', data),
    ...(template.text !== undefined ? { text: renderTemplate(template.text, data) } : {}),
    ...(template.html !== undefined ? { html: renderTemplate(template.html, data, { html: true }) } : {}),
    headers: messageHeaders(spec.Headers),
    template: { ...(name ? { name } : {}), data },
  };
}

/** The headers SES writes into a mail it builds from Simple or Template content. */
function envelopeHeaders(from: string, mail: Composed, replyTo: string[], id: string): MessageHeader[] {
  const contentType =
    mail.text !== undefined && mail.html !== undefined ? 'multipart/alternative' : `text/${mail.html !== undefined ? 'html' : 'plain'}; charset=UTF-8`;
  const headers: [string, string | undefined][] = [
    ['From', from],
    ['Reply-To', replyTo.join(', ') || undefined],
    ['To', mail.to.join(', ') || undefined],
    ['Cc', mail.cc.join(', ') || undefined],
    ['Subject', mail.subject],
    ['Message-ID', `<${id}@email.amazonses.com>`],
    ['MIME-Version', '1.0'],
    ['Content-Type', contentType],
  ];
  return headers.filter((h): h is [string, string] => h[1] !== undefined).map(([name, value]) => ({ name, value }));
}

const messageHeaders = (headers: unknown): MessageHeader[] =>
  ((headers ?? []) as any[]).map((h) => ({ name: String(h.Name), value: String(h.Value) }));

const strings = (list: unknown): string[] => (Array.isArray(list) ? list.map(String) : []);
