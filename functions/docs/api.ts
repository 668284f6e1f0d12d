import { readFileSync } from 'node:fs';
import { DOCS_ROUTES, OPENAPI_FILE } from '../../schemas/api/routes/docs';
import { apiRouter, type ApiRoute } from '../platform/api-handler';

let document: string | undefined;
const getOpenapiRoute: ApiRoute = async () => {
  document ??= readFileSync(new URL(`./${OPENAPI_FILE}`, import.meta.url), 'utf8');
  return { status: 200, body: document, contentType: 'application/json' };
};

/** The docs API: one function behind a router over the route catalogue's docs routes. */
export const handler = apiRouter('docs', DOCS_ROUTES, {
  'get-openapi': getOpenapiRoute,
});
