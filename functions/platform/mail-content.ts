import type { Locale } from '../../schemas/format';
import { requiredEnv } from './env';
import { escapeHtml } from './html-page';

/** Who a mail is for: their address and name, and how they read money and times. */
export interface Reader extends Locale {
  email: string;
  name: string;
}

/** The formats of a reader whose record names no locale or zone. */
export const DEFAULT_FORMATS: Locale = { locale: 'en-GB', timeZone: 'UTC' };

/** A stored user as mail addresses them; undefined without an address (an unknown user gets no mail). */
export function readerOf(userId: string, user: Record<string, unknown> | undefined): Reader | undefined {
  if (!user || typeof user.email !== 'string') return undefined;
  return {
    email: user.email,
    name: typeof user.name === 'string' ? user.name : userId,
    locale: typeof user.locale === 'string' ? user.locale : DEFAULT_FORMATS.locale,
    timeZone: typeof user.timeZone === 'string' ? user.timeZone : DEFAULT_FORMATS.timeZone,
  };
}

/**
 * What a service mail says, written once and rendered both as text and as HTML (every value escaped
 * there): a few paragraphs, labelled facts, and the links to act on.
 */
export interface MailContent {
  subject: string;
  paragraphs: string[];
  facts: [label: string, value: string][];
  links: { label: string; url: string }[];
}

export function renderMail(content: MailContent): { subject: string; text: string; html: string } {
  const text = [
    content.paragraphs.join('\n\n'),
    content.facts.map(([label, value]) => `${label}: ${value}`).join('\n'),
    content.links.map((l) => `${l.label}: ${l.url}`).join('\n'),
  ].filter(Boolean).join('\n\n');
  const facts = content.facts.length === 0 ? '' : `<table role="presentation">${content.facts
    .map(([label, value]) => `<tr><th scope="row" align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`;
  const html = content.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('') + facts +
    content.links.map((l) => `<p><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></p>`).join('');
  return { subject: content.subject, text, html };
}

/** The address of a page of the web console (CONSOLE_URL is its base, ending in /app/). */
export const consoleLink = (path: string) => `${requiredEnv('CONSOLE_URL').replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
