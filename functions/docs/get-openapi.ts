import { openApiDocument } from '../../schemas/api/openapi';
import { apiHandler } from '../platform/api-handler';

const document = openApiDocument();

export const handler = apiHandler(async () => ({ status: 200, body: document }));
