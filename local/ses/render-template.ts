import { escapeHtml } from './html';

/**
 * SES renders templates with Handlebars. This covers the substitutions our mail uses: `{{name}}`,
 * nested `{{a.b.c}}` and `{{{raw}}}`. In the HTML part `{{x}}` is HTML-escaped and `{{{x}}}` is not,
 * as in Handlebars; a missing value renders as the empty string. Block helpers (`{{#if}}`,
 * `{{#each}}`) are not supported and are left as they are.
 */
export function renderTemplate(template: string, data: unknown, { html = false } = {}): string {
  return template.replace(/\{\{\{\s*([\w.-]+)\s*\}\}\}|\{\{\s*([\w.-]+)\s*\}\}/g, (_match, raw?: string, escaped?: string) => {
    const value = lookup(data, (raw ?? escaped)!);
    const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return html && escaped !== undefined ? escapeHtml(text) : text;
  });
}

function lookup(data: unknown, path: string): unknown {
  let value = data;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
