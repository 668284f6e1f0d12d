import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleWelcomeSequence } from '../../local/seed/welcome-sequence';
import { PROJECT_ROOT } from '../../local/synth';
import { startLocalCrm, type LocalCrm } from './support/local-crm';

/**
 * The README's lead-nurturing path, step by step as a marketer runs it on a fresh `npm start`: the
 * clock moved to a Monday, a lead captured with `npm run send-event` (signed with real time, though the
 * clock is days ahead), its timeline read in words, the clock moved to the end of the wait it names, the
 * follow-up opened, the enrolment completed and the lead left `nurtured`.
 */
let crm: LocalCrm;
const run = promisify(execFile);
const EMAIL = 'ada@example.com';

beforeAll(async () => {
  crm = await startLocalCrm();
});
afterAll(async () => crm?.stop());

const port = (url: string) => new URL(url).port;
const sendEvent = (...args: string[]) => run('npm', ['run', '--silent', 'send-event', '--', ...args], {
  cwd: PROJECT_ROOT,
  env: { ...process.env, TRADEFLOW_API_PORT: port(crm.runtime.apiUrl), TRADEFLOW_EDGE_PORT: port(crm.runtime.edgeUrl) },
});
const clock = async (body?: unknown) => (await (await fetch(`${crm.runtime.edgeUrl}/_local/clock`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) })).json()) as { now: string; epochMillis: number; offset: string };

interface Entry { what: string; summary: string; until?: string }
const enrolmentOf = async (leadId: string) => (await crm.as('u-marketing').get(`/nurture/leads/${leadId}`)).body.enrolments[0] as { status: string; timeline: Entry[] } | undefined;

it('captures a lead with npm run send-event and follows its enrolment to the end, as the README says', async () => {
  const marketing = crm.as('u-marketing');
  expect((await marketing.post('/nurture/sequences', sampleWelcomeSequence())).status).toBe(201);
  expect((await marketing.post('/nurture/sequences/welcome/lifecycle', { action: 'activate' })).status).toBe(200);

  // next Monday 09:00 UTC on the local clock: inside the send window in Berlin
  const monday = new Date((await clock()).epochMillis + 7 * 86_400_000);
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  const mondayIso = `${monday.toISOString().slice(0, 10)}T09:00:00Z`;
  expect((await clock({ advanceTo: mondayIso })).offset).toMatch(/ahead of real time$/);

  const detail = { formId: 'webinar', capturedAt: mondayIso, firstName: 'Ada', lastName: 'Lovelace', email: EMAIL, timeZone: 'Europe/Berlin', consent: { marketing: true } };
  const sent = await sendEvent('web-forms', 'Lead.Captured', JSON.stringify(detail));
  expect(sent.stdout).toMatch(/^202 \(idempotency-key manual-/);
  expect(JSON.parse(sent.stdout.slice(sent.stdout.indexOf('\n')))).toMatchObject({ detailType: 'Lead.Captured', duplicate: false });

  const [lead] = (await crm.eventually(() => marketing.get(`/leads?q=${encodeURIComponent(EMAIL)}`), (r) => r.body.items?.length === 1)).body.items;
  await crm.untilIdle();
  const enrolled = (await enrolmentOf(lead.id))!;
  expect(enrolled.timeline.map((t) => t.summary)).toEqual([
    'enrolled in version 1 by Lead.Captured',
    'sent the mail of welcome (nurture-welcome)',
    expect.stringMatching(/^waiting \(pause\) until Wed \d+ \w{3}, 10:00 Europe\/Berlin$/),
  ]);

  // the clock moves to the end of the wait the timeline names: the follow-up goes, and its open is awaited
  await clock({ advanceTo: enrolled.timeline.findLast((t) => t.until)!.until });
  await crm.untilIdle();
  const waiting = (await enrolmentOf(lead.id))!;
  expect(waiting.timeline.at(-1)!.summary).toMatch(/^waiting until Sat \d+ \w{3}, 10:00 Europe\/Berlin for the mail of follow-up to be opened$/);

  const mails = (await (await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages?to=${EMAIL}`)).json()) as { id: string; template?: { name?: string } }[];
  const followUp = mails.find((m) => m.template?.name === 'nurture-follow-up')!;
  expect((await fetch(`${crm.runtime.edgeUrl}/_local/ses/messages/${followUp.id}/open`, { method: 'POST' })).status).toBe(200);
  await crm.untilIdle();
  const done = (await enrolmentOf(lead.id))!;
  expect(done.status).toBe('completed');
  expect(done.timeline.map((t) => t.summary).slice(-5)).toEqual([
    'the mail of follow-up was opened',
    'score +10 (opened), now 10',
    'score +30 (step), now 40',
    'sent the mail of offer (nurture-offer)',
    'completed the sequence',
  ]);
  expect((await marketing.get(`/leads/${lead.id}`)).body).toMatchObject({ status: 'nurtured', score: 40 });
});

it('refuses a detail that is not JSON, or a system that sends no events, before sending anything', async () => {
  await expect(sendEvent('web-forms', 'Lead.Captured', '{formId: webinar}')).rejects.toMatchObject({ stderr: expect.stringContaining('the detail is not JSON') });
  await expect(sendEvent('mailroom', 'Lead.Captured', '{}')).rejects.toMatchObject({ stderr: expect.stringContaining('mailroom is not a system that sends events (erp, web-forms, call-centre)') });
  // the API's own answer for a bad event: 400 naming the field, and a non-zero exit
  const bad = sendEvent('web-forms', 'Lead.Captured', JSON.stringify({ formId: 'webinar' }));
  await expect(bad).rejects.toMatchObject({ stdout: expect.stringMatching(/^400 [\s\S]*detail\.email/) });
});
