import { EVENT_CATALOGUE, detailJsonSchema } from './index';

type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; enum?: unknown[]; items?: JsonSchema; pattern?: string; format?: string };

function fieldRows(schema: JsonSchema, prefix = ''): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const required = schema.required?.includes(name) ? 'yes' : '';
    const type = property.enum ? property.enum.map((v) => `\`${String(v)}\``).join(' \\| ')
      : property.type === 'array' ? `array of ${String(property.items?.type ?? 'any')}`
      : `${String(property.type ?? 'any')}${property.format ? ` (${property.format})` : ''}`;
    const row = `| \`${path}\` | ${type} | ${required} |`;
    const nested = property.type === 'object' ? fieldRows(property, `${path}.`) : [];
    return [row, ...nested];
  });
}

/** docs/events.md: every event, its producers and consumers and its detail's fields, from the catalogue. */
export function cataloguePage(): string {
  const lines = [
    '# Event catalogue',
    '',
    'Generated from `schemas/events/` by `npm run docs`; do not edit by hand. Events travel on the `crm` bus',
    'as EventBridge delivers them (`source`, `detail-type`, `detail`). Other systems send the inbound ones with',
    '`POST /events` (signed) or PutEvents; the JSON Schemas are in the EventBridge schema registry `tradeflow`.',
    '',
    '| source | detail-type | direction | producers | consumers |',
    '| --- | --- | --- | --- | --- |',
    ...EVENT_CATALOGUE.map((e) => `| \`${e.source}\` | \`${e.detailType}\` | ${e.direction} | ${e.producers.join('; ')} | ${e.consumers.join('; ')} |`),
  ];
  for (const event of EVENT_CATALOGUE) {
    lines.push('', `## ${event.detailType} (\`${event.source}\`)`, '', event.description, '', '| field | type | required |', '| --- | --- | --- |');
    lines.push(...fieldRows(detailJsonSchema(event) as JsonSchema, 'detail.'));
  }
  return `${lines.join('\n')}\n`;
}
