/**
 * What other domains may use of the approvals domain: handing a pending task to someone else under the
 * engine's reassignment rules (a work handover moves a leaver's tasks), and asking whether it may be.
 */
export { reassignTask, reassignmentRefused } from './approval-decisions';
