import type { RouteSpec } from '../route-spec';

export const DOCS_ROUTES: RouteSpec[] = [
  {
    method: 'GET', path: '/openapi.json', operation: 'docs/get-openapi', auth: 'none', tag: 'docs',
    summary: 'This API described as OpenAPI 3.1',
  },
];

/** The file the docs function serves GET /openapi.json from: the document is built when the function is bundled. */
export const OPENAPI_FILE = 'openapi.json';
