import { NestedStack } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { acknowledgeAcceptedFindings } from '../nag-suppressions';
import type { CrmApi } from './crm-api';
import type { CrmEvents } from './crm-events';
import type { CrmMail } from './crm-mail';
import type { OutboxRelay } from './outbox-relay';

/** What a domain builds on, all in the parent stack: the table, the event backbone, the API, mail and the outbox. */
export interface SharedParts {
  table: TableV2;
  events: CrmEvents;
  api: CrmApi;
  mail: CrmMail;
  outbox: OutboxRelay;
}

/**
 * A domain in a nested stack of its own (docs/decisions.md, "How the stack grows past its budget"): its
 * functions, workflows, rules with their queues and alarms, and whatever else it declares count against
 * the nested stack's 500 resources, not the parent's. `build` makes the domain's construct inside it from
 * the shared parts; references to them become the nested stack's parameters (and references back, such as
 * an API function told the domain's state machine, its outputs), which CDK wires on its own. The findings
 * the whole app accepts (nag-suppressions.ts) are accepted here too.
 *
 *     new DomainStack(this, 'Nurture', { description: '...', shared, build: (scope, shared) => new NurtureEngine(scope, 'Nurture', shared) });
 */
export class DomainStack<T extends Construct> extends NestedStack {
  readonly domain: T;

  constructor(scope: Construct, id: string, props: {
    description: string;
    shared: SharedParts;
    build: (scope: Construct, shared: SharedParts) => T;
  }) {
    super(scope, id, { description: props.description });
    this.domain = props.build(this, props.shared);
    acknowledgeAcceptedFindings(this, props.shared.table);
  }
}
