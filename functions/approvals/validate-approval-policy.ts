import { ApprovalPolicySchema } from '../../schemas/approvals/policy';
import { ValidatePolicyBodySchema } from '../../schemas/approvals/request';
import { apiHandler } from '../platform/api-handler';
import { dryRun } from './approval-dry-run';
import { isDomainError } from '../platform/http';
import { parseInput } from '../platform/validation';

/**
 * POST /approval-policies/validate: checks a draft document without saving it; with a sample subject,
 * also dry-runs it. A valid request always gets 200: `valid` and `errors` say what is wrong with the draft.
 */
export const handler = apiHandler(async (request) => {
  const principal = request.principal();
  const body = parseInput(ValidatePolicyBodySchema, request.body(), 'body');
  try {
    const document = parseInput(ApprovalPolicySchema, body.document, 'body');
    const plan = body.subject ? await dryRun(document, body.subject, body.submitterId ?? principal.userId, new Date(request.now)) : undefined;
    return { status: 200, body: { valid: true, errors: [], ...(plan ? { plan } : {}) } };
  } catch (error) {
    if (!isDomainError(error) || error.kind !== 'invalid') throw error;
    return { status: 200, body: { valid: false, errors: error.issues.map((i) => ({ ...i, field: i.field.replace(/^body/, 'document') })) } };
  }
});
