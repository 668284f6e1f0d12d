import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { itemFor, userItems } from '../schemas/keys';
import { Departments, Users } from '../schemas/records';

/*
 * A new deployment's first admin. Every API request answers for the caller's user record, so someone must
 * exist before anyone can add users through the API: this writes the company's top department and one
 * admin into the deployed table, with the AWS credentials of whoever deploys. The admin's id is their
 * username in the user pool (see README, "Deploying to AWS"). Nothing is overwritten: run twice, it refuses.
 *
 *   npx tsx infra/first-admin.ts --table <TableName> --id anna --email anna@example.com --name "Anna Admin" \
 *     --department d-company --department-name "Example Foods GmbH" [--time-zone Europe/Berlin]
 */

export interface FirstAdmin {
  id: string;
  email: string;
  name: string;
  departmentId: string;
  departmentName: string;
  timeZone: string;
}

/** The department and the admin (with the hold on their e-mail) as puts that fail rather than overwrite. */
export function firstAdminWrites(tableName: string, admin: FirstAdmin, now: string) {
  const system = { version: 1, createdAt: now, updatedAt: now };
  const department = Departments.record.parse({ id: admin.departmentId, name: admin.departmentName, kind: 'company', managerUserId: admin.id, ...system });
  const user = Users.record.parse({
    id: admin.id, name: admin.name, email: admin.email, roles: ['admin'], departmentId: admin.departmentId, timeZone: admin.timeZone, status: 'active', ...system,
  });
  return [itemFor(Departments.type, department), ...userItems(user)].map((Item) => ({
    Put: { TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      table: { type: 'string' }, id: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' },
      department: { type: 'string', default: 'd-company' }, 'department-name': { type: 'string' }, 'time-zone': { type: 'string', default: 'Europe/Berlin' },
    },
  });
  const missing = ['table', 'id', 'email', 'name', 'department-name'].filter((name) => !values[name as keyof typeof values]);
  if (missing.length) {
    console.error(`first-admin: give ${missing.map((name) => `--${name}`).join(', ')} (see the comment at the top of infra/first-admin.ts)`);
    process.exit(2);
  }
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  await documents.send(new TransactWriteCommand({
    TransactItems: firstAdminWrites(values.table!, {
      id: values.id!, email: values.email!, name: values.name!, departmentId: values.department!,
      departmentName: values['department-name']!, timeZone: values['time-zone']!,
    }, new Date().toISOString()),
  }));
  console.log(`first-admin: ${values.id} is the admin of ${values.department} in ${values.table}`);
  documents.destroy();
}
