import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { ApprovalOutcome } from '../../../schemas/events/approvals';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/runtime';
import type { LocalCrm } from './local-crm';

/**
 * "Someone decides the approval" for the promotion and claim workflows.
 *
 * INTERIM: the approval engine (issue 4) is built in parallel and is not on this branch. Until it is,
 * this reads the Approval.Requested event the workflow put on the bus (for this subject, the newest)
 * and answers its callbackToken with an ApprovalOutcome through the SFN API on the edge, exactly as the
 * engine's contract says it will. When the engine lands, this body becomes a real decision through
 * the engine (the approver's inbox and decision endpoint); the tests that call it stay as they are.
 */
export async function decideApproval(crm: LocalCrm, decision: {
  subjectType: 'promotion' | 'expense-claim';
  subjectId: string;
  outcome: ApprovalOutcome['outcome'];
  reasons?: string[];
  /** which request of the subject (its nth submission); the newest when omitted */
  submission?: number;
}): Promise<void> {
  const request = await crm.eventually(async () => (await crm.busEvents()).find((e) => e['detail-type'] === 'Approval.Requested'
    && e.detail.subject?.type === decision.subjectType && e.detail.subject?.id === decision.subjectId
    && (decision.submission === undefined || String(e.detail.requestId).endsWith(`-${decision.submission}`))), (e) => e !== undefined, 30_000);
  if (!request) throw new Error(`no Approval.Requested for ${decision.subjectType} ${decision.subjectId}`);
  const outcome: ApprovalOutcome = {
    requestId: request.detail.requestId,
    subjectType: decision.subjectType,
    subjectId: decision.subjectId,
    submitterId: request.detail.submitterId,
    policyId: decision.subjectType === 'promotion' ? 'promotion-approval' : 'expense-claim-approval',
    policyVersion: 1,
    decidedAt: new Date().toISOString(),
    outcome: decision.outcome,
    reasons: decision.reasons ?? [],
  };
  const sfn = new SFNClient({ endpoint: crm.runtime.edgeUrl, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken: request.detail.callbackToken, output: JSON.stringify(outcome) }));
  } finally {
    sfn.destroy();
  }
}
