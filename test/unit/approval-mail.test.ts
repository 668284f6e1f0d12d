import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeApprovalMail, requestPageLink, type ApprovalMail, type ApprovalMailContext } from '../../functions/approvals/approval-mail';
import { renderMail, type Reader } from '../../functions/platform/mail-content';
import type { ApprovalRequestRecord, ApprovalTask } from '../../schemas/approvals/request';

/** The approval engine's mail as people read it: names, money in their locale, times in their zone, links to act on. */

const NAMES: Record<string, string> = { 'u-sales': 'Sam Sales', 'u-north-manager': 'Nora North', 'u-director': 'Dora Director', 'u-ops': 'Otto Ops' };
const nameOf = (id: string) => NAMES[id] ?? id;
const nora: Reader = { email: 'nora@example.com', name: 'Nora North', timeZone: 'Europe/Berlin', locale: 'en-GB' };
const now = new Date('2026-12-01T09:00:00Z');

const subject = {
  type: 'promotion', id: '0f6a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b', ownerId: 'u-sales', departmentId: 'd-north',
  fields: { amount: { amountMinor: 6_200_000, currency: 'EUR' }, region: 'North', fundId: 'f-123' },
  title: 'Summer water display',
  facts: [
    { label: 'Accounts', text: ['Nordic Distribution GmbH', 'Bio Markt Kiel'] },
    { label: 'Fund', text: 'North trade fund 2027 H1' },
    { label: 'Starts', at: '2027-06-01T07:00:00Z' },
  ],
};
const request = {
  requestId: 'promotion-0f6a1c2e-1', status: 'pending', subject, submitterId: 'u-sales', reasons: [] as string[], createdAt: now.toISOString(),
} as unknown as ApprovalRequestRecord;
const task = {
  requestId: request.requestId, taskId: 's0-t001', stepIndex: 0, stepName: 'Area manager', assigneeId: 'u-north-manager',
  status: 'pending', dueAt: '2026-12-09T16:00:00Z', reminders: 0, submitterId: 'u-sales',
} as unknown as ApprovalTask;
const context: ApprovalMailContext = {
  reader: nora, nameOf, now, decisionUrl: 'https://api.example/approval-links/abc.def', requestUrl: 'https://console.example/app/approvals/promotion-0f6a1c2e-1',
};
const compose = (mail: Partial<ApprovalMail>, more: Partial<ApprovalMailContext> = {}) =>
  renderMail(composeApprovalMail({ kind: 'task', request, task, ...mail }, { ...context, ...more }));

describe('an approver\'s mail', () => {
  it('names the submitter and the subject by name, never by id', () => {
    const mail = compose({});
    expect(mail.subject).toBe('Approval needed: promotion “Summer water display”, €62,000.00 (due Wed 9 Dec, 17:00)');
    expect(mail.text).toContain('Hello Nora North,');
    expect(mail.text).toContain('Sam Sales asks for your approval of the promotion “Summer water display”, at step “Area manager”.');
    expect(mail.text).toContain('Accounts: Nordic Distribution GmbH, Bio Markt Kiel');
    expect(mail.text).toContain('Fund: North trade fund 2027 H1');
    for (const id of ['u-sales', 'u-north-manager', subject.id, 'f-123']) {
      expect(mail.text).not.toContain(id);
      expect(mail.subject).not.toContain(id);
    }
  });

  it('writes the amount in the reader\'s locale with its currency, and times in the reader\'s zone', () => {
    expect(compose({}).text).toContain('Amount: €62,000.00');
    expect(compose({}).text).toContain('Due: Wed 9 Dec, 17:00');
    expect(compose({}).text).toContain('Starts: Tue, 1 Jun 2027, 09:00');
    const german = compose({}, { reader: { ...nora, locale: 'de-DE' } });
    expect(german.text).toContain('Amount: 62.000,00\u00a0€');
    const newYork = compose({}, { reader: { ...nora, timeZone: 'America/New_York' } });
    expect(newYork.text).toContain('Due: Wed 9 Dec, 11:00');
    const yen = compose({ request: { ...request, subject: { ...subject, fields: { amount: { amountMinor: 150_000, currency: 'JPY' } } } } });
    expect(yen.text).toContain('Amount: JP¥150,000');
  });

  it('links to the one-click decision page and to the request\'s page in the console', () => {
    const mail = compose({});
    expect(mail.text).toContain('Review and decide: https://api.example/approval-links/abc.def');
    expect(mail.text).toContain('Open the request in Tradeflow: https://console.example/app/approvals/promotion-0f6a1c2e-1');
    expect(mail.html).toContain('<a href="https://api.example/approval-links/abc.def">Review and decide</a>');
    expect(mail.html).toContain('<a href="https://console.example/app/approvals/promotion-0f6a1c2e-1">Open the request in Tradeflow</a>');
  });

  it('says what kind of mail it is: a reminder, an escalation, a reassignment, a delegated task', () => {
    expect(compose({ kind: 'reminder', task: { ...task, overdue: true } }).text).toContain('still needs your decision at step “Area manager”. It is overdue.');
    expect(compose({ kind: 'reminder' }).subject).toMatch(/^Reminder: approval needed: promotion “Summer water display”/);
    expect(compose({ kind: 'escalation' }).text).toContain('was escalated to you: it was not decided in time');
    expect(compose({ kind: 'reassignment', reassigned: { from: 'u-director', by: 'u-ops' } }).text)
      .toContain('Otto Ops handed you Dora Director\'s approval of the promotion “Summer water display” from Sam Sales');
    expect(compose({ task: { ...task, delegatedFrom: 'u-director' } }).text).toContain('You decide for Dora Director, who is away.');
  });

  it('escapes what people typed in its HTML, and keeps the text as typed', () => {
    const typed = { ...subject, title: '<script>alert(1)</script> & "friends"', facts: [{ label: 'Note', text: '<img src=x onerror=alert(1)>' }] };
    const mail = compose({ request: { ...request, subject: typed }, task: { ...task, stepName: '<b>Boss</b>' } });
    expect(mail.html).not.toMatch(/<script|<img|<b>/);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;');
    expect(mail.html).toContain('&lt;img src&#61;x onerror&#61;alert(1)&gt;');
    expect(mail.text).toContain('<script>alert(1)</script> & "friends"');
  });

  it('names a subject without a title by its type and id', () => {
    const untitled = compose({ request: { ...request, subject: { type: 'discount', id: 'd-42', fields: {} } } });
    expect(untitled.subject).toBe('Approval needed: discount d-42 (due Wed 9 Dec, 17:00)');
  });
});

describe('the outcome mail to the submitter', () => {
  const sam: Reader = { email: 'sam@example.com', name: 'Sam Sales', timeZone: 'Europe/Berlin', locale: 'en-GB' };
  const outcome = (status: string, reasons: string[] = []) =>
    renderMail(composeApprovalMail({ kind: 'outcome', request: { ...request, status, reasons, decidedAt: '2026-12-02T10:30:00Z' } as ApprovalRequestRecord, task: undefined, tasks: [task] },
      { reader: sam, nameOf, now, requestUrl: context.requestUrl }));

  it('says the outcome of the subject by name, with its facts and the request\'s page, and no decision link', () => {
    const mail = outcome('approved');
    expect(mail.subject).toBe('Approved: promotion “Summer water display”');
    expect(mail.text).toContain('Your request for the promotion “Summer water display” was approved.');
    expect(mail.text).toContain('Amount: €62,000.00');
    expect(mail.text).toContain('Decided: Wed 2 Dec, 11:30');
    expect(mail.text).toContain('Open the request in Tradeflow: https://console.example/app/approvals/promotion-0f6a1c2e-1');
    expect(mail.text).not.toContain('approval-links');
  });

  it('gives the reasons with the deciders named', () => {
    const mail = outcome('rejected', ['Rejected by u-north-manager at step "Area manager": too expensive <really>']);
    expect(mail.subject).toBe('Rejected: promotion “Summer water display”');
    expect(mail.text).toContain('Rejected by Nora North at step "Area manager": too expensive <really>');
    expect(mail.html).toContain('too expensive &lt;really&gt;');
    expect(mail.text).not.toContain('u-north-manager');
  });
});

describe('the console link', () => {
  const before = process.env.CONSOLE_URL;
  beforeEach(() => { process.env.CONSOLE_URL = 'https://console.example/app/'; });
  afterEach(() => { if (before === undefined) delete process.env.CONSOLE_URL; else process.env.CONSOLE_URL = before; });

  it('is the configured console\'s page of the request', () => {
    expect(requestPageLink('promotion-abc-1')).toBe('https://console.example/app/approvals/promotion-abc-1');
    process.env.CONSOLE_URL = 'http://127.0.0.1:3120/app';
    expect(requestPageLink('claim-x-2')).toBe('http://127.0.0.1:3120/app/approvals/claim-x-2');
  });
});
