import { DOCS_ROUTES } from '../../schemas/api/routes/docs';
import { openApiDocument } from '../../schemas/api/openapi';
import { apiRouter, type ApiRoute } from '../platform/api-handler';

const document = openApiDocument();

const getOpenapiRoute: ApiRoute = async () => ({ status: 200, body: document });

/** The docs API: one function behind a router over the route catalogue's docs routes. */
export const handler = apiRouter('docs', DOCS_ROUTES, {
  'get-openapi': getOpenapiRoute,
});
