import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../console/src/api/endpoints';
import { ROUTES, routeKey } from '../../schemas/api/routes';

describe('the console API client', () => {
  it('calls only routes of the catalogue, each as the catalogue spells it', () => {
    const catalogue = new Set(ROUTES.map(routeKey));
    expect(Object.keys(ENDPOINTS).filter((key) => !catalogue.has(key))).toEqual([]);
  });
});
