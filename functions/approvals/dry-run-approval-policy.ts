import { DryRunBodySchema } from '../../schemas/approvals/request';
import { apiHandler } from '../platform/api-handler';
import { dryRun } from './approval-dry-run';
import { pickVersion, readPolicy } from './approval-policies';
import { parseInput } from '../platform/validation';

/** POST /approval-policies/{id}/dry-run: which steps and approvers a sample request would get under a version. */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const body = parseInput(DryRunBodySchema, request.body(), 'body');
  const version = pickVersion(await readPolicy(request.path('id')), body.version);
  return { status: 200, body: { version: version.version, plan: await dryRun(version.document, body.subject, body.submitterId ?? principal.userId, new Date(request.now)) } };
});
