/**
 * `npm run screenshots`: the console's main pages, as the demo company's people see them, into
 * docs/console/ (the README shows them). Runs its own local runtime on free ports with the demo data.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { buildConsole } from '../../local/console-build';
import { PROJECT_ROOT, synthesize } from '../../local/synth';
import { DESK, openConsole, PHONE, startConsoleWorld, type Person } from './support/console';

const OUT = path.join(PROJECT_ROOT, 'docs', 'console');
mkdirSync(OUT, { recursive: true });
await synthesize();
await buildConsole();
const world = await startConsoleWorld();

async function shoot(person: Person, file: string, url: string, ready: (p: Person) => Promise<unknown>) {
  await person.page.goto(url);
  await ready(person);
  await person.page.getByText(/^Loading /).first().waitFor({ state: 'detached' }).catch(() => {});
  await person.page.screenshot({ path: path.join(OUT, file), fullPage: false });
  console.log(`docs/console/${file}`);
}
const heading = (name: string | RegExp) => (p: Person) => p.page.getByRole('heading', { level: 1, name }).waitFor();

try {
  const { crm } = world;
  // a promotion waiting for the area manager, so the inbox and the progress have something to show
  const drafts = (await crm.as('u-sales').get('/promotions?status=draft')).body.items as { id: string; name: string }[];
  const promotion = drafts.find((p) => p.name.startsWith('Summer water'))!;
  await crm.as('u-sales').post(`/promotions/${promotion.id}/submit`, {});
  const requestId = `promotion-${promotion.id}-1`;
  await crm.eventually(() => crm.as('u-north-manager').get('/approval-inbox'), (r) => (r.body.items ?? []).length > 0, 30_000);
  const nordic = ((await crm.as('u-sales').get('/accounts?region=North')).body.items as { id: string; code: string }[]).find((a) => a.code === 'NORDIC-DIST')!.id;
  const fund = ((await crm.as('u-finance').get('/funds')).body.items as { id: string }[])[0]!.id;
  // an order and its payment this month, so the dashboard's revenue has something to show
  const month = new Date(((await (await fetch(`${crm.runtime.edgeUrl}/_local/clock`)).json()) as { epochMillis: number }).epochMillis).toISOString().slice(0, 7);
  await crm.putEvents([{ source: 'ext.erp', detailType: 'Order.Placed', detail: { orderId: 'SO-SHOT', accountCode: 'NORDIC-DIST', placedAt: `${month}-01T08:00:00Z`, amount: { amountMinor: 18_400_00, currency: 'EUR' } } }]);
  await crm.untilIdle();
  await crm.putEvents([{ source: 'ext.erp', detailType: 'Payment.Received', detail: { paymentId: 'PAY-SHOT', accountCode: 'NORDIC-DIST', receivedAt: `${month}-01T16:00:00Z`, amount: { amountMinor: 18_400_00, currency: 'EUR' }, orderId: 'SO-SHOT' } }]);
  await crm.untilIdle();

  const visitor = await openConsole(world.browser, crm.runtime.apiUrl, { viewport: DESK });
  await shoot(visitor, 'sign-in.png', '/app/sign-in', heading('Sign in to Tradeflow'));
  const rep = await world.as('u-sales');
  await shoot(rep, 'home.png', '/app/', heading(/^Hello/));
  await shoot(rep, 'accounts.png', '/app/accounts', (p) => p.page.getByRole('link', { name: 'Nordic Distribution GmbH' }).waitFor());
  await shoot(rep, 'account-360.png', `/app/accounts/${nordic}`, (p) => p.page.getByRole('list', { name: 'Activities, newest first' }).waitFor());
  await shoot(rep, 'pipeline.png', '/app/opportunities', (p) => p.page.getByRole('heading', { name: /^negotiation/ }).waitFor());
  await shoot(rep, 'apply-promotion.png', '/app/promotions/new', (p) => p.page.getByText(/Available in this fund/).waitFor());
  await shoot(rep, 'promotion.png', `/app/promotions/${promotion.id}`, (p) => p.page.getByText(/Nora North: pending/).waitFor());
  const phone = await world.as('u-sales', { viewport: PHONE });
  await shoot(phone, 'account-360-phone.png', `/app/accounts/${nordic}`, (p) => p.page.getByRole('heading', { name: 'Timeline' }).waitFor());
  const manager = await world.as('u-north-manager');
  await shoot(manager, 'approvals-inbox.png', '/app/approvals', (p) => p.page.getByRole('row', { name: /Summer water/ }).waitFor());
  await shoot(manager, 'approval-request.png', `/app/approvals/${requestId}`, (p) => p.page.getByRole('heading', { name: 'Your decision' }).waitFor());
  await shoot(manager, 'dashboard.png', '/app/dashboard', (p) => p.page.getByRole('img', { name: /^Revenue by month/ }).waitFor());
  const finance = await world.as('u-finance');
  await shoot(finance, 'finance.png', '/app/finance', (p) => p.page.getByRole('link', { name: 'North trade fund 2027 H1' }).waitFor());
  await shoot(finance, 'fund-statement.png', `/app/funds/${fund}`, heading(/statement/));
  const agent = await world.as('u-service');
  const ticket = ((await crm.as('u-service').get('/tickets?departmentId=d-care')).body.items as { id: string }[])[0]!.id;
  await shoot(agent, 'ticket-queue.png', '/app/tickets', (p) => p.page.getByRole('link', { name: /Damaged pallet/ }).waitFor());
  await shoot(agent, 'ticket.png', `/app/tickets/${ticket}`, (p) => p.page.getByRole('heading', { name: 'Work the ticket' }).waitFor());
  // a finished handover of the South rep's book to the area's manager
  const handover = await crm.as('u-ops').post('/handovers', { fromUserId: 'u-sales-south', toUserId: 'u-south-manager' });
  await crm.eventually(() => crm.as('u-ops').get(`/handovers/${String(handover.body.id)}`), (r) => r.body.status === 'completed', 60_000);
  const ops = await world.as('u-ops');
  await shoot(ops, 'handover.png', `/app/handovers/${String(handover.body.id)}`, (p) => p.page.getByText('Everything moved.').waitFor());
} finally {
  await world.stop();
}
