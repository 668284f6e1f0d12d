import type { IncomingMessage } from 'node:http';
import type { Reply, SesContext } from './context';
import { badRequest, notFound } from './ses-errors';
import { escapeHtml } from './html';
import { bareAddress } from './mime';
import { recipientsOf, type StoredMessage } from './ses-model';

/**
 * The mail catcher's own endpoints under `/_local/ses`: the sent mail as JSON, a page to read it,
 * and the recipient's side of engagement (opening a mail, clicking a link in it).
 */
export async function handleMailViewer(ctx: SesContext, req: IncomingMessage, body: Buffer): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://local');
  const path = url.pathname.replace(/\/+$/, '');
  const [, id, action] = /^\/_local\/ses\/messages(?:\/([^/]+)(?:\/(open|click))?)?$/.exec(path) ?? [];
  const route = `${req.method} ${path === '/_local/ses' ? 'page' : id === undefined ? 'messages' : action ?? 'message'}`;

  switch (route) {
    case 'GET page': {
      const selected = url.searchParams.get('id');
      return { status: 200, html: selected ? messagePage(existing(ctx, selected)) : listPage(newestFirst(ctx)) };
    }
    case 'GET messages': {
      const to = url.searchParams.get('to');
      const messages = newestFirst(ctx).filter((m) => !to || recipientsOf(m).some((r) => bareAddress(r) === bareAddress(to)));
      return { status: 200, json: messages };
    }
    case 'DELETE messages':
      ctx.messages.clear();
      return { status: 200, json: {} };
    case 'GET message':
      return { status: 200, json: existing(ctx, decodeURIComponent(id!)) };
    case 'POST open':
    case 'POST click':
      return { status: 200, json: await engage(ctx, existing(ctx, decodeURIComponent(id!)), action as 'open' | 'click', req, body) };
    default:
      throw notFound(`The local SES has no ${req.method} ${path}`);
  }
}

const newestFirst = (ctx: SesContext) => ctx.messages.values().sort((a, b) => (a.id < b.id ? 1 : -1));

function existing(ctx: SesContext, id: string): StoredMessage {
  const message = ctx.messages.get(id);
  if (!message) throw notFound(`No message ${id}`);
  return message;
}

/** Simulates the recipient opening the mail or clicking one of its links, as SES's tracking would see it. */
async function engage(ctx: SesContext, message: StoredMessage, action: 'open' | 'click', req: IncomingMessage, body: Buffer) {
  let input: { link?: unknown; userAgent?: unknown } = {};
  try {
    if (body.length > 0) input = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('The body is not valid JSON');
  }
  const timestamp = ctx.clock.nowIso();
  const details: Record<string, unknown> = {
    ipAddress: '127.0.0.1',
    timestamp,
    userAgent: String(input.userAgent ?? req.headers['user-agent'] ?? 'local'),
  };
  if (action === 'click') {
    const link = input.link;
    if (typeof link !== 'string' || !link) throw badRequest('Give the clicked link: {"link": "https://..."}');
    const inMail = [message.html, message.text].some((part) => part?.includes(link) || part?.includes(link.replace(/&/g, '&amp;')));
    if (!inMail) throw badRequest(`The link ${link} is not in message ${message.id}`);
    Object.assign(details, { link, linkTags: {} });
  }
  const [event] = await ctx.recordEvents(message, [{ eventType: action === 'open' ? 'Open' : 'Click', timestamp, details }]);
  return event;
}

const page = (title: string, content: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}iframe{width:100%;height:30em;border:1px solid #ccc}pre{white-space:pre-wrap;background:#f6f6f6;padding:1em}</style>
</head><body>${content}</body></html>`;

function listPage(messages: StoredMessage[]): string {
  const rows = messages
    .map(
      (m) => `<tr><td>${escapeHtml(m.timestamp)}</td><td>${escapeHtml(m.from)}</td><td>${escapeHtml(recipientsOf(m).join(', '))}</td>` +
        `<td><a href="/_local/ses?id=${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td>` +
        `<td>${escapeHtml(m.events.map((e) => e.eventType).join(', '))}</td></tr>`,
    )
    .join('\n');
  return page(
    'Local SES: sent mail',
    `<h1>Sent mail (${messages.length})</h1>
<table><tr><th>sent</th><th>from</th><th>to</th><th>subject</th><th>events</th></tr>
${rows}</table>`,
  );
}

function messagePage(m: StoredMessage): string {
  const table = (rows: [string, unknown][]) =>
    `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
  return page(
    m.subject,
    `<p><a href="/_local/ses">← all mail</a></p>
<h1>${escapeHtml(m.subject || '(no subject)')}</h1>
${table([
  ['Message id', m.id],
  ['Sent', m.timestamp],
  ['From', m.from],
  ['To', m.to.join(', ')],
  ['Cc', m.cc.join(', ')],
  ['Bcc', m.bcc.join(', ')],
  ['Configuration set', m.configurationSet ?? ''],
  ...Object.entries(m.tags).map(([k, v]): [string, string] => [`Tag ${k}`, v]),
])}
<h2>Headers</h2>${table(m.headers.map((h) => [h.name, h.value]))}
<h2>Events</h2>${table(m.events.map((e) => [`${e.eventType} ${e.timestamp}${e.published ? ' (on the bus)' : ''}`, JSON.stringify(e.details)]))}
${m.html !== undefined ? `<h2>HTML</h2><iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${escapeHtml(OPEN_LINKS_OUTSIDE + m.html)}"></iframe>` : ''}
${m.text !== undefined ? `<h2>Text</h2><pre>${linkify(m.text)}</pre>` : ''}`,
  );
}

/**
 * The mail's links open, each in a new tab of its own (a decision page, the console, an unsubscribe
 * page), as they would from a mail client; the mail's scripts and forms still do not run (no
 * allow-scripts, no allow-forms in the iframe's sandbox).
 */
const OPEN_LINKS_OUTSIDE = '<base target="_blank">';

/** The text part, escaped, with its http(s) links made links. */
function linkify(text: string): string {
  return text.split(/(https?:\/\/[^\s<>"]+)/g)
    .map((part, i) => (i % 2 === 1 ? `<a href="${escapeHtml(part)}" target="_blank" rel="noopener">${escapeHtml(part)}</a>` : escapeHtml(part)))
    .join('');
}
