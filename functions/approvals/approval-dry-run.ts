import type { ApprovalPolicy, ApprovalSubject } from '../../schemas/approvals/policy';
import { planApproval } from './approval-plan';
import { loadDirectory } from './approval-store';
import { invalidField } from '../platform/errors';

/** A policy's plan for a sample request, with the people as they are now (dry-run: nothing is written). */
export async function dryRun(policy: ApprovalPolicy, subject: ApprovalSubject, submitterId: string, now: Date) {
  const directory = await loadDirectory();
  const submitter = directory.getUser(submitterId);
  if (!submitter) throw invalidField('body.submitterId', `names no user (${submitterId})`);
  return planApproval({ policy, subject, submitter: { userId: submitter.id, departmentId: submitter.departmentId }, now, directory });
}
