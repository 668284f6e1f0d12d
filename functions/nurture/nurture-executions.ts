import * as z from '../../schemas/zod';
import { requiredEnv } from '../platform/env';
import { startNamedExecution, stopExecution } from '../platform/step-functions';

/*
 * One execution of the nurture state machine (workflows/nurture.ts) per enrolment, named after it:
 * starting it again for a redelivered event is a no-op, and an exit stops it by name.
 */

const stateMachineArn = () => requiredEnv('NURTURE_STATE_MACHINE_ARN');

/** An enrolment's execution is named after it. */
export const executionArnOf = (enrolmentId: string) => `${stateMachineArn().replace(':stateMachine:', ':execution:')}:${enrolmentId}`;

/** What an enrolment's execution is told at its start, and each of its steps reads (they never change). */
export const EnrolmentOfSchema = z.object({ enrolmentId: z.string(), sequenceId: z.string(), sequenceVersion: z.number(), leadId: z.string() });
export type EnrolmentOf = z.output<typeof EnrolmentOfSchema>;

/** Starts the enrolment's execution at the sequence's first step; a redelivered event finds it running (or run). */
export async function startEnrolmentExecution(of: EnrolmentOf, firstStepId: string): Promise<void> {
  await startNamedExecution(stateMachineArn(), of.enrolmentId, { ...of, stepId: firstStepId });
}

/** Stops the enrolment's execution at once (an exit); one that never started or has ended is left alone. */
export async function stopEnrolmentExecution(enrolmentId: string, reason: string): Promise<void> {
  await stopExecution(executionArnOf(enrolmentId), 'Nurture.Exited', reason);
}
