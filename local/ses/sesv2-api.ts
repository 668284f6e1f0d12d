import type { IncomingMessage } from 'node:http';
import type { Reply, SesContext } from './context';
import { badRequest, notFound, SesError } from './ses-errors';
import { sendingEvents } from './ses-events';
import { composeMessage } from './send-email';
import type { EmailTemplate } from './ses-model';

/* eslint-disable @typescript-eslint/no-explicit-any -- request bodies are JSON the SDK built; each field is checked where it is read */

const TEMPLATE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_PAGE_SIZE = 10;

type Handler = (ctx: SesContext, input: { params: string[]; query: URLSearchParams; body: any }) => Promise<unknown> | unknown;

/** The SESv2 REST operations served locally, as `@aws-sdk/client-sesv2` sends them. */
const ROUTES: [method: string, path: RegExp, handler: Handler][] = [
  ['POST', /^\/v2\/email\/outbound-emails$/, sendEmail],
  ['POST', /^\/v2\/email\/templates$/, createTemplate],
  ['GET', /^\/v2\/email\/templates$/, listTemplates],
  ['GET', /^\/v2\/email\/templates\/([^/]+)$/, (ctx, { params }) => templateReply(existingTemplate(ctx, params[0]!))],
  ['PUT', /^\/v2\/email\/templates\/([^/]+)$/, updateTemplate],
  ['DELETE', /^\/v2\/email\/templates\/([^/]+)$/, deleteTemplate],
  ['GET', /^\/v2\/email\/account$/, getAccount],
];

export async function handleSesV2(ctx: SesContext, req: IncomingMessage, body: Buffer): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://local');
  for (const [method, path, handler] of ROUTES) {
    const match = path.exec(url.pathname);
    if (!match || req.method !== method) continue;
    let parsed: unknown = {};
    try {
      if (body.length > 0) parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest('The request body is not valid JSON');
    }
    const params = match.slice(1).map(decodeURIComponent);
    return { status: 200, json: (await handler(ctx, { params, query: url.searchParams, body: parsed })) ?? {} };
  }
  throw new SesError(400, 'UnknownOperationException', `The local SES does not serve ${req.method} ${url.pathname}`);
}

async function sendEmail(ctx: SesContext, { body }: { body: any }) {
  const name = body?.ConfigurationSetName;
  if (name !== undefined && !ctx.configurationSets.has(String(name))) throw notFound(`Configuration set <${name}> does not exist.`);
  const started = Date.now();
  const message = { ...composeMessage(body, ctx.clock.now(), (t) => ctx.templates.get(t)), events: [] };
  ctx.messages.put(message.id, message);
  ctx.log(`SES: ${message.id} "${message.subject}" from ${message.from} to ${[...message.to, ...message.cc, ...message.bcc].join(', ')}`);
  await ctx.recordEvents(message, sendingEvents(message, ctx.clock.nowIso(), Date.now() - started));
  return { MessageId: message.id };
}

function templateContent(body: any): Pick<EmailTemplate, 'subject' | 'text' | 'html'> {
  const content = body?.TemplateContent;
  if (!content) throw badRequest('TemplateContent is required');
  return { subject: content.Subject, text: content.Text, html: content.Html };
}

function createTemplate(ctx: SesContext, { body }: { body: any }) {
  const name = body?.TemplateName;
  if (typeof name !== 'string' || !TEMPLATE_NAME.test(name)) {
    throw badRequest('TemplateName must be 1 to 64 letters, digits, underscores or dashes');
  }
  if (ctx.templates.get(name)) throw new SesError(400, 'AlreadyExistsException', `Template ${name} already exists.`);
  ctx.templates.put(name, { name, ...templateContent(body), createdAt: ctx.clock.nowIso() });
}

function existingTemplate(ctx: SesContext, name: string): EmailTemplate {
  const template = ctx.templates.get(name);
  if (!template) throw notFound(`Template ${name} does not exist.`);
  return template;
}

const templateReply = (t: EmailTemplate) => ({
  TemplateName: t.name,
  TemplateContent: { Subject: t.subject, Text: t.text, Html: t.html },
});

function updateTemplate(ctx: SesContext, { params, body }: { params: string[]; body: any }) {
  const template = existingTemplate(ctx, params[0]!);
  ctx.templates.put(template.name, { ...template, ...templateContent(body) });
}

function deleteTemplate(ctx: SesContext, { params }: { params: string[] }) {
  ctx.templates.delete(existingTemplate(ctx, params[0]!).name);
}

function listTemplates(ctx: SesContext, { query }: { query: URLSearchParams }) {
  const all = ctx.templates.values().sort((a, b) => a.name.localeCompare(b.name));
  const start = Number(query.get('NextToken') ?? 0);
  const size = Number(query.get('PageSize') ?? DEFAULT_PAGE_SIZE);
  if (!Number.isInteger(start) || start < 0) throw badRequest('Invalid NextToken');
  if (!Number.isInteger(size) || size < 1 || size > 100) throw badRequest('PageSize must be between 1 and 100');
  const page = all.slice(start, start + size);
  return {
    TemplatesMetadata: page.map((t) => ({ TemplateName: t.name, CreatedTimestamp: Date.parse(t.createdAt) / 1000 })),
    ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
  };
}

function getAccount(ctx: SesContext) {
  const dayAgo = ctx.clock.now() - 86_400_000;
  return {
    SendingEnabled: true,
    ProductionAccessEnabled: true,
    EnforcementStatus: 'HEALTHY',
    DedicatedIpAutoWarmupEnabled: false,
    SendQuota: {
      Max24HourSend: 50_000,
      MaxSendRate: 14,
      SentLast24Hours: ctx.messages.values().filter((m) => Date.parse(m.timestamp) > dayAgo).length,
    },
  };
}
