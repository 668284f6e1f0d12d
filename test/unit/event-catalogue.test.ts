import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cataloguePage } from '../../schemas/events/catalogue-page';
import { EVENT_CATALOGUE, eventJsonSchema, findEvent } from '../../schemas/events';

describe('the event catalogue', () => {
  it('is documented as it is: docs/events.md is what `npm run docs` generates', () => {
    expect(readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8')).toBe(cataloguePage());
  });

  it('names each event once, by source and detail-type', () => {
    const names = EVENT_CATALOGUE.map((e) => `${e.source} ${e.detailType}`);
    expect(new Set(names).size).toBe(names.length);
    expect(findEvent('ext.erp', 'Order.Placed')?.detailType).toBe('Order.Placed');
    expect(findEvent('ext.erp', 'Lead.Captured')).toBeUndefined();
  });

  it('gives the registry a draft-4 schema of the whole event with the detail inside', () => {
    const schema = eventJsonSchema(findEvent('ext.erp', 'Payment.Received')!) as any;
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.properties.source.enum).toEqual(['ext.erp']);
    expect(schema.properties.detail.required).toEqual(expect.arrayContaining(['paymentId', 'accountCode', 'amount']));
  });
});
