import { ActivatePolicyBodySchema } from '../../schemas/approvals/request';
import { apiHandler } from '../platform/api-handler';
import { activatePolicyVersion } from './approval-policies';
import { parseInput } from '../platform/validation';

/** POST /approval-policies/{id}/activate: new requests run under this version from now on (ops, admin). */
export const handler = apiHandler(async (request) => {
  const { version } = parseInput(ActivatePolicyBodySchema, request.body(), 'body');
  return { status: 200, body: await activatePolicyVersion(request.path('id'), version, request.principal(), request.now) };
});
