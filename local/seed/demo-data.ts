import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { demoDataMarkerKey, itemFor, userItems } from '../../schemas/keys';
import { SEED_POLICIES } from './approval-policies';
import { DEMO_USERS } from './demo-users';

/**
 * The demo company, Tradeflow Foods: a food, drinks and household-goods maker selling through
 * distributors, key-account chains and outlets in two sales branches. The directory (departments and
 * users, whose ids the local tokens name) is written straight into the table; everything else goes
 * through the HTTP API as the user who owns it, so it passes the same validation and rules as any request.
 */
const DEPARTMENTS = [
  { id: 'd-group', name: 'Tradeflow Foods Group', kind: 'group' },
  { id: 'd-company', name: 'Tradeflow Foods GmbH', kind: 'company', parentId: 'd-group', managerUserId: 'u-admin' },
  { id: 'd-north', name: 'Sales North', kind: 'branch', parentId: 'd-company', managerUserId: 'u-north-manager' },
  { id: 'd-south', name: 'Sales South', kind: 'branch', parentId: 'd-company', managerUserId: 'u-south-manager' },
  { id: 'd-marketing', name: 'Marketing', kind: 'office', parentId: 'd-company', managerUserId: 'u-marketing' },
  { id: 'd-finance', name: 'Finance', kind: 'office', parentId: 'd-company', managerUserId: 'u-finance-director' },
  { id: 'd-ops', name: 'Sales Operations', kind: 'office', parentId: 'd-company', managerUserId: 'u-ops' },
  { id: 'd-care', name: 'Customer Care', kind: 'team', parentId: 'd-company', managerUserId: 'u-care-manager' },
];

const eur = (euros: number) => ({ amountMinor: Math.round(euros * 100), currency: 'EUR' });
const consent = { status: 'given', at: '2026-01-15T09:00:00Z', source: 'trade fair sign-up' };

const PRODUCTS = [
  { code: 'BEV-WATER-500', name: 'Sparkling Water 500 ml', series: 'Beverages', unitPrice: eur(0.89), status: 'active' },
  { code: 'BEV-OJ-1000', name: 'Orange Juice 1 l', series: 'Beverages', unitPrice: eur(2.49), status: 'active' },
  { code: 'SNK-CRISPS-150', name: 'Sea Salt Crisps 150 g', series: 'Snacks', unitPrice: eur(1.99), status: 'active' },
  { code: 'SNK-CHOC-100', name: 'Dark Chocolate 100 g', series: 'Snacks', unitPrice: eur(1.79), status: 'active' },
  { code: 'HH-DISH-750', name: 'Dish Soap 750 ml', series: 'Household', unitPrice: eur(2.29), status: 'active' },
  { code: 'HH-PODS-30', name: 'Laundry Pods 30 pcs', series: 'Household', unitPrice: eur(7.99), status: 'discontinued' },
];

interface Api {
  apiUrl: string;
  tokenFor(userIdOrRole: string): Promise<string>;
}

async function post(api: Api, userId: string, path: string, body: unknown, method: 'POST' | 'PUT' = 'POST'): Promise<{ id: string }> {
  const response = await fetch(`${api.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await api.tokenFor(userId)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== (method === 'POST' ? 201 : 200)) throw new Error(`demo data: ${method} ${path} as ${userId} answered ${response.status}: ${text}`);
  return JSON.parse(text) as { id: string };
}

async function writeDirectory(documents: DynamoDBDocumentClient, tableName: string, now: string) {
  const system = { version: 1, createdAt: now, updatedAt: now };
  const departments = DEPARTMENTS.map((d) => ({
    Put: { TableName: tableName, Item: itemFor('DEPARTMENT', { ...d, ...system }) },
  }));
  const users = DEMO_USERS.flatMap((u) => userItems({ ...u, status: 'active', ...system }).map((Item) => ({ Put: { TableName: tableName, Item } })));
  await documents.send(new TransactWriteCommand({ TransactItems: [...departments, ...users] }));
}

/** The seed approval policies, written and activated by ops as any policy is. */
async function createApprovalPolicies(api: Api) {
  for (const policy of SEED_POLICIES) {
    await post(api, 'u-ops', '/approval-policies', policy);
    const response = await fetch(`${api.apiUrl}/approval-policies/${policy.id}/activate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await api.tokenFor('u-ops')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1 }),
    });
    if (!response.ok) throw new Error(`demo data: activating ${policy.id} answered ${response.status}: ${await response.text()}`);
  }
}

async function createBusinessRecords(api: Api): Promise<{ nordic: { id: string }; freshmart: { id: string }; anna: { id: string } }> {
  for (const product of PRODUCTS) await post(api, 'u-ops', '/products', product);

  const account = (owner: string, body: Record<string, unknown>) => post(api, owner, '/accounts', body);
  const nordic = await account('u-sales', {
    code: 'NORDIC-DIST', name: 'Nordic Distribution GmbH', channelType: 'distributor', tier: 'key', status: 'active',
    industry: 'Food wholesale', region: 'North', city: 'Hamburg', phone: '+49 40 555 0100', email: 'orders@nordic-dist.example',
    website: 'https://nordic-dist.example', creditRating: 'AA', creditLimit: eur(250_000),
  });
  const freshmart = await account('u-sales', {
    code: 'FRESHMART', name: 'FreshMart Supermarkets', channelType: 'key-account', tier: 'key', status: 'active',
    industry: 'Grocery retail', region: 'North', city: 'Bremen', creditRating: 'A', creditLimit: eur(500_000),
  });
  await account('u-sales', {
    code: 'CORNER-HH-12', name: 'Corner Shop Eppendorf', channelType: 'retail-outlet', tier: 'standard', status: 'active',
    region: 'North', city: 'Hamburg', parentAccountId: nordic.id, creditLimit: eur(5_000),
  });
  const iberia = await account('u-sales-south', {
    code: 'IBERIA-WHOLE', name: 'Iberia Wholesale SL', channelType: 'distributor', tier: 'key', status: 'active',
    region: 'South', city: 'Madrid', creditRating: 'BBB', creditLimit: eur(180_000),
  });
  await account('u-sales-south', {
    code: 'SUNCITY', name: 'SunCity Department Store', channelType: 'department-store', tier: 'standard', status: 'prospect',
    region: 'South', city: 'Seville',
  });

  const contact = (owner: string, accountId: string, body: Record<string, unknown>) =>
    post(api, owner, '/contacts', { accountId, marketingConsent: consent, timeZone: 'Europe/Berlin', ...body });
  const anna = await contact('u-sales', nordic.id, { firstName: 'Anna', lastName: 'Berg', title: 'Head of Purchasing', email: 'anna.berg@nordic-dist.example', gender: 'female' });
  await contact('u-sales', nordic.id, { firstName: 'Jonas', lastName: 'Weber', title: 'Category Manager Beverages', email: 'jonas.weber@nordic-dist.example', interests: ['beverages'] });
  await contact('u-sales', freshmart.id, { firstName: 'Lea', lastName: 'Hoffmann', title: 'Buyer Snacks', email: 'lea.hoffmann@freshmart.example' });
  await contact('u-sales-south', iberia.id, { firstName: 'Carlos', lastName: 'Ruiz', title: 'Director Compras', email: 'carlos.ruiz@iberia-wholesale.example', timeZone: 'Europe/Madrid' });

  const opportunity = (owner: string, accountId: string, body: Record<string, unknown>) => post(api, owner, '/opportunities', { accountId, ...body });
  const listing = await opportunity('u-sales', nordic.id, { name: 'Summer beverages listing', stage: 'proposal', amount: eur(42_000), expectedCloseDate: '2027-03-31', probability: 60, contactId: anna.id });
  await opportunity('u-sales', freshmart.id, { name: 'Snacks shelf extension', stage: 'negotiation', amount: eur(120_000), expectedCloseDate: '2027-02-15', probability: 75 });
  await opportunity('u-sales', nordic.id, { name: 'Winter tea range', stage: 'closed-won', amount: eur(18_500), expectedCloseDate: '2026-10-01', probability: 100 });
  await opportunity('u-sales-south', iberia.id, { name: 'Household range entry', stage: 'qualification', amount: eur(65_000), expectedCloseDate: '2027-05-30', probability: 30 });

  const activity = (owner: string, body: Record<string, unknown>) => post(api, owner, '/activities', body);
  await activity('u-sales', { type: 'visit', subject: 'Quarterly review at Nordic', occurredAt: '2026-11-10T10:00:00Z', accountId: nordic.id, contactId: anna.id });
  await activity('u-sales', { type: 'call', subject: 'Pricing for summer listing', occurredAt: '2026-11-18T14:30:00Z', accountId: nordic.id, opportunityId: listing.id });
  await activity('u-sales', { type: 'order', subject: 'Order 4711 (ERP)', occurredAt: '2026-11-20T08:12:00Z', accountId: nordic.id, amount: eur(12_480) });
  await activity('u-sales', { type: 'meeting', subject: 'Shelf plan workshop', occurredAt: '2026-11-21T09:00:00Z', accountId: freshmart.id });

  const lead = (owner: string, body: Record<string, unknown>) => post(api, owner, '/leads', { score: 0, status: 'new', marketingConsent: consent, ...body });
  await lead('u-marketing', { firstName: 'Mia', lastName: 'Schulz', company: 'Bio Markt Kiel', email: 'mia@biomarkt-kiel.example', source: 'web-form', region: 'North', interests: ['beverages'], timeZone: 'Europe/Berlin' });
  await lead('u-marketing', { firstName: 'Pablo', lastName: 'Garcia', company: 'Tiendas Luna', email: 'pablo@tiendas-luna.example', source: 'event', region: 'South', score: 35, status: 'nurturing', timeZone: 'Europe/Madrid' });
  await lead('u-sales', { firstName: 'Tom', lastName: 'Krüger', company: 'Kiosk am Hafen', phone: '+49 40 555 0199', source: 'call-centre', region: 'North', marketingConsent: { status: 'unknown' } });
  return { nordic, freshmart, anna };
}

/**
 * Trade promotions: finance's fund for the North branch, marketing's summer campaign, and two
 * promotions the North rep has drafted in it (drafts: nothing waits on an approver until someone submits).
 */
async function createTradePromotions(api: Api, accounts: { nordic: { id: string }; freshmart: { id: string } }) {
  const fund = await post(api, 'u-finance', '/funds', {
    name: 'North trade fund 2027 H1', region: 'North', period: '2027-H1', allocated: eur(150_000), departmentId: 'd-north',
  });
  const campaign = await post(api, 'u-marketing', '/campaigns', {
    name: 'Summer refreshment 2027', description: 'Beverages and snacks in the North: displays, tastings and a price promotion',
    startsAt: '2027-05-01T00:00:00Z', endsAt: '2027-08-31T23:59:59Z', settlementDelayDays: 30, currency: 'EUR',
  });
  const promotion = (body: Record<string, unknown>) => post(api, 'u-sales', '/promotions', { region: 'North', fundId: fund.id, campaignId: campaign.id, ...body });
  await promotion({
    name: 'Summer water display at Nordic', type: 'display', description: 'End-of-aisle displays with tastings in Nordic\'s cash-and-carry stores',
    startsAt: '2027-06-01T00:00:00Z', endsAt: '2027-06-30T23:59:59Z', accountIds: [accounts.nordic.id], productSeries: ['Beverages'],
    expenseLines: [{ kind: 'display', amount: eur(6_000) }, { kind: 'tasting', amount: eur(2_500) }],
  });
  await promotion({
    name: 'FreshMart snacks July discount', type: 'price-discount', description: '15 % off crisps and chocolate in every FreshMart store',
    startsAt: '2027-07-01T00:00:00Z', endsAt: '2027-07-31T23:59:59Z', accountIds: [accounts.freshmart.id], productSeries: ['Snacks'],
    expenseLines: [{ kind: 'price-discount', amount: eur(12_000) }, { kind: 'listing-fee', amount: eur(1_500) }],
  });
}

/**
 * Customer Care's SLA policy (Monday to Friday 09:00-17:00 in Berlin; the intake team for the call
 * centre's tickets) and a ticket the agent is working on.
 */
async function createServiceTickets(api: Api, records: { nordic: { id: string }; anna: { id: string } }) {
  const minutes = (hours: number) => hours * 60;
  await post(api, 'u-ops', '/tickets/sla-policies/d-care', {
    name: 'Customer Care', timeZone: 'Europe/Berlin',
    calendar: { id: 'care-hours', name: 'Monday to Friday, 09:00-17:00', workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'], workingHours: { start: '09:00', end: '17:00' }, holidays: ['2026-12-24', '2026-12-25', '2026-12-26', '2027-01-01'] },
    targets: [
      { priority: 'urgent', firstResponseMinutes: 30, resolutionMinutes: minutes(4) },
      { priority: 'high', firstResponseMinutes: minutes(2), resolutionMinutes: minutes(16) },
      { priority: 'normal', firstResponseMinutes: minutes(8), resolutionMinutes: minutes(40) },
      { priority: 'low', firstResponseMinutes: minutes(16), resolutionMinutes: minutes(80) },
      { priority: 'high', category: 'complaint', firstResponseMinutes: minutes(1), resolutionMinutes: minutes(8) },
    ],
    remindBeforeMinutes: 30, escalateEveryMinutes: 60, reopenWithinDays: 7, intake: true,
  }, 'PUT');
  await post(api, 'u-service', '/tickets', {
    accountId: records.nordic.id, contactId: records.anna.id, subject: 'Damaged pallet in delivery 4711', category: 'delivery', priority: 'high',
    description: 'Two cases of sparkling water arrived broken; Anna asks for a replacement with the next delivery.',
  });
}

/**
 * The demo data's edition, kept in the marker: 1 the company and its records, 2 the approval policies
 * and approvers, 3 the trade promotions, 4 Customer Care with its SLA policy and a ticket. A table loaded by an older edition is left as it is, and
 * `npm start` says what it lacks.
 */
export const DEMO_DATA_EDITION = 4;

/**
 * Loads the demo data once: a table with the marker that a complete load leaves is left as it is
 * (`loadedEdition` says which edition it holds).
 */
export async function seedDemoData(api: Api, dynamoDbEndpoint: string, tableName: string, region: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  const client = new DynamoDBClient({ endpoint: dynamoDbEndpoint, region, credentials });
  const documents = DynamoDBDocumentClient.from(client);
  try {
    const marker = await documents.send(new GetCommand({ TableName: tableName, Key: demoDataMarkerKey }));
    if (marker.Item) return { seeded: false, loadedEdition: Number(marker.Item.edition ?? 1) };
    const now = new Date().toISOString();
    await writeDirectory(documents, tableName, now);
    const accounts = await createBusinessRecords(api);
    await createApprovalPolicies(api);
    await createTradePromotions(api, accounts);
    await createServiceTickets(api, accounts);
    await documents.send(new PutCommand({ TableName: tableName, Item: { ...demoDataMarkerKey, at: now, edition: DEMO_DATA_EDITION } }));
    return { seeded: true, loadedEdition: DEMO_DATA_EDITION };
  } finally {
    client.destroy();
  }
}
