import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CrmApi } from '../constructs/crm-api';
import { CrmTable } from '../constructs/crm-table';
import { acknowledgeAcceptedFindings } from '../nag-suppressions';

/** Everything Tradeflow deploys: the table, the API with its functions and user pool. */
export class TradeflowStack extends Stack {
  readonly table: CrmTable;
  readonly api: CrmApi;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = new CrmTable(this, 'Crm');
    this.api = new CrmApi(this, 'Http', { table: this.table.table });
    acknowledgeAcceptedFindings(this, this.table.table);
  }
}
