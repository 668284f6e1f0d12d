import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { INDEX_NAMES, indexKeyAttributes, TTL_ATTRIBUTE } from '../../schemas/keys';

/** The CRM's one table: records, their index entries and (later) workflow state. Keys: schemas/keys/. */
export class CrmTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      globalSecondaryIndexes: INDEX_NAMES.map((indexName) => {
        const { pk, sk } = indexKeyAttributes(indexName);
        return {
          indexName,
          partitionKey: { name: pk, type: AttributeType.STRING },
          sortKey: { name: sk, type: AttributeType.STRING },
        };
      }),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
