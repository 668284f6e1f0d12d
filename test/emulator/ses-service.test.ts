import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import {
  CreateEmailTemplateCommand,
  DeleteEmailTemplateCommand,
  GetAccountCommand,
  GetEmailTemplateCommand,
  ListEmailTemplatesCommand,
  NotFoundException,
  AlreadyExistsException,
  SESv2Client,
  SendEmailCommand,
  UpdateEmailTemplateCommand,
} from '@aws-sdk/client-sesv2';
import { createResolver } from '../../local/assembly/cfn-intrinsics';
import type { TemplateResource } from '../../local/assembly/cloud-assembly';
import { createLocalClock } from '../../local/clock';
import { startEdge, targetPrefixMatcher, type Edge } from '../../local/edge/edge-server';
import { createSesService, type SesService } from '../../local/ses/ses-service';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

// what the CDK app declares for mail: a configuration set whose events go to the default bus
const RESOURCES: Record<string, TemplateResource> = {
  MailConfigSet: { Type: 'AWS::SES::ConfigurationSet', Properties: { Name: 'crm-mail' } },
  MailEvents: {
    Type: 'AWS::SES::ConfigurationSetEventDestination',
    Properties: {
      ConfigurationSetName: { Ref: 'MailConfigSet' },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'open', 'click'],
        EventBridgeDestination: { EventBusArn: { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' } },
      },
    },
  },
  QuietConfigSet: { Type: 'AWS::SES::ConfigurationSet', Properties: { Name: 'quiet' } },
  Welcome: {
    Type: 'AWS::SES::Template',
    Properties: {
      Template: {
        TemplateName: 'welcome',
        SubjectPart: 'Welcome, {{contact.firstName}}',
        TextPart: 'Hi {{contact.firstName}} of {{ company }}',
        HtmlPart: '<p>Hi {{contact.firstName}}</p><a href="{{{unsubscribeUrl}}}">unsubscribe</a>',
      },
    },
  },
};

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const json = async (url: string, init?: RequestInit) => {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as any };
};

describe('the local SES', () => {
  let edge: Edge;
  let ses: SesService;
  let client: SESv2Client;
  let putEvents: any[];
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'ses-test-'));
    edge = await startEdge({ port: 0 });
    // a stand-in for the local EventBridge that records what PutEvents receives
    edge.register({
      name: 'EventsStub',
      matches: targetPrefixMatcher('AWSEvents.'),
      handle(_req, res, body) {
        const request = JSON.parse(body.toString());
        putEvents.push(...request.Entries);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ FailedEntryCount: 0, Entries: request.Entries.map((_: unknown, i: number) => ({ EventId: `e-${i}` })) }));
      },
    });
    ses = createSesService({ edgeUrl: edge.url, clock: createLocalClock(), dataDir, region: REGION, accountId: ACCOUNT });
    ses.loadTemplate(RESOURCES, createResolver({ template: { Resources: RESOURCES }, resources: RESOURCES }, { region: REGION, accountId: ACCOUNT, stackName: 'Tradeflow' }));
    edge.register(ses.edgeService);
    client = new SESv2Client({ endpoint: edge.url, region: REGION, credentials });
  });
  afterAll(async () => {
    client?.destroy();
    await ses?.stop();
    await edge?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    putEvents = [];
  });

  const messagesTo = async (to: string) => (await json(`${edge.url}/_local/ses/messages?to=${encodeURIComponent(to)}`)).body as any[];

  it('sends simple mail, keeps it readable and puts Send and Delivery on the default bus', async () => {
    const { MessageId } = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'Tradeflow <noreply@tradeflow.example>',
        Destination: { ToAddresses: ['Ann <ann@example.com>'], CcAddresses: ['cc@example.com'], BccAddresses: ['bcc@example.com'] },
        ReplyToAddresses: ['sales@tradeflow.example'],
        Content: {
          Simple: {
            Subject: { Data: 'Your quote' },
            Body: { Text: { Data: 'See https://tradeflow.example/q/1' }, Html: { Data: '<a href="https://tradeflow.example/q/1">quote</a>' } },
            Headers: [{ Name: 'List-Unsubscribe', Value: '<https://tradeflow.example/u/abc>' }],
          },
        },
        ConfigurationSetName: 'crm-mail',
        EmailTags: [{ Name: 'campaign', Value: 'spring' }],
      }),
    );
    expect(MessageId).toBeTruthy();

    const [listed] = await messagesTo('ann@example.com');
    expect(listed.id).toBe(MessageId);
    const { body: message } = await json(`${edge.url}/_local/ses/messages/${MessageId}`);
    expect(message).toMatchObject({
      subject: 'Your quote',
      from: 'Tradeflow <noreply@tradeflow.example>',
      to: ['Ann <ann@example.com>'],
      cc: ['cc@example.com'],
      bcc: ['bcc@example.com'],
      replyTo: ['sales@tradeflow.example'],
      text: 'See https://tradeflow.example/q/1',
      html: '<a href="https://tradeflow.example/q/1">quote</a>',
      tags: { campaign: 'spring' },
      configurationSet: 'crm-mail',
    });
    expect(message.headers).toContainEqual({ name: 'List-Unsubscribe', value: '<https://tradeflow.example/u/abc>' });
    expect(message.events.map((e: any) => [e.eventType, e.published])).toEqual([
      ['Send', true],
      ['Delivery', true],
    ]);
    expect(await messagesTo('nobody@example.com')).toEqual([]);

    expect(putEvents.map((e) => [e.Source, e.DetailType, e.EventBusName])).toEqual([
      ['aws.ses', 'Email Sent', 'default'],
      ['aws.ses', 'Email Delivered', 'default'],
    ]);
    expect(putEvents[0].Resources).toEqual([`arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/crm-mail`]);
    const sent = JSON.parse(putEvents[0].Detail);
    expect(sent).toMatchObject({
      eventType: 'Send',
      send: {},
      mail: {
        source: 'Tradeflow <noreply@tradeflow.example>',
        sendingAccountId: ACCOUNT,
        messageId: MessageId,
        destination: ['Ann <ann@example.com>', 'cc@example.com', 'bcc@example.com'],
        headersTruncated: false,
        commonHeaders: { from: ['Tradeflow <noreply@tradeflow.example>'], to: ['Ann <ann@example.com>'], subject: 'Your quote' },
        tags: { 'ses:configuration-set': ['crm-mail'], campaign: ['spring'] },
      },
    });
    const delivered = JSON.parse(putEvents[1].Detail);
    expect(delivered.eventType).toBe('Delivery');
    expect(delivered.delivery).toMatchObject({ recipients: ['ann@example.com', 'cc@example.com', 'bcc@example.com'], smtpResponse: expect.any(String) });
  });

  it('publishes after a restart the Send and Delivery of mail it accepted just before it died, once', async () => {
    const { MessageId } = await client.send(new SendEmailCommand({
      FromEmailAddress: 'noreply@tradeflow.example', Destination: { ToAddresses: ['crash@example.com'] },
      Content: { Simple: { Subject: { Data: 'Accepted, then the runtime died' }, Body: { Text: { Data: '...' } } } },
      ConfigurationSetName: 'crm-mail',
    }));
    // as a kill -9 between keeping the mail and recording its events leaves it
    const file = path.join(dataDir, 'messages', `${encodeURIComponent(MessageId!)}.json`);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), events: [] }));
    putEvents = [];
    const restarted = createSesService({ edgeUrl: edge.url, clock: createLocalClock(), dataDir, region: REGION, accountId: ACCOUNT });
    try {
      restarted.loadTemplate(RESOURCES, createResolver({ template: { Resources: RESOURCES }, resources: RESOURCES }, { region: REGION, accountId: ACCOUNT, stackName: 'Tradeflow' }));
      expect(await restarted.publishUnrecordedEvents()).toBe(1);
      expect(putEvents.map((e) => [e.DetailType, JSON.parse(e.Detail).mail.messageId])).toEqual([['Email Sent', MessageId], ['Email Delivered', MessageId]]);
      expect(await restarted.publishUnrecordedEvents()).toBe(0);
      expect(putEvents).toHaveLength(2);
    } finally {
      await restarted.stop();
    }
  });

  it('reads raw MIME mail: multipart bodies, encoded subject, List-Unsubscribe, recipients from the headers', async () => {
    const mime = [
      'From: Tradeflow <noreply@tradeflow.example>',
      'To: raw@example.com',
      'Subject: =?UTF-8?B?UHLDpG1pZSBmw7xyIFNpZQ==?=',
      'List-Unsubscribe: <https://tradeflow.example/u/xyz>,',
      ' <mailto:unsubscribe@tradeflow.example>',
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Gr=C3=BC=C3=9Fe',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<b>Grüße</b>').toString('base64'),
      '--b1--',
      '',
    ].join('\r\n');
    const { MessageId } = await client.send(new SendEmailCommand({ Content: { Raw: { Data: Buffer.from(mime) } } }));
    const { body: message } = await json(`${edge.url}/_local/ses/messages/${MessageId}`);
    expect(message).toMatchObject({
      from: 'Tradeflow <noreply@tradeflow.example>',
      to: ['raw@example.com'],
      subject: 'Prämie für Sie',
      text: 'Grüße',
      html: '<b>Grüße</b>',
    });
    expect(message.headers).toContainEqual({
      name: 'List-Unsubscribe',
      value: '<https://tradeflow.example/u/xyz>, <mailto:unsubscribe@tradeflow.example>',
    });
    // no configuration set, so nothing goes to the bus
    expect(message.events.map((e: any) => [e.eventType, e.published])).toEqual([['Send', false], ['Delivery', false]]);
    expect(putEvents).toEqual([]);
  });

  it('renders a template of the cloud template by name, and one made through the API by ARN', async () => {
    const data = { contact: { firstName: '<Ann>' }, company: 'Acme & Co', unsubscribeUrl: 'https://tradeflow.example/u?t=1&s=2' };
    const { MessageId } = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'noreply@tradeflow.example',
        Destination: { ToAddresses: ['tpl@example.com'] },
        Content: { Template: { TemplateName: 'welcome', TemplateData: JSON.stringify(data) } },
      }),
    );
    const { body: message } = await json(`${edge.url}/_local/ses/messages/${MessageId}`);
    expect(message).toMatchObject({
      subject: 'Welcome, <Ann>',
      text: 'Hi <Ann> of Acme & Co',
      html: '<p>Hi &lt;Ann&gt;</p><a href="https://tradeflow.example/u?t=1&s=2">unsubscribe</a>',
      template: { name: 'welcome', data },
    });

    await client.send(new CreateEmailTemplateCommand({ TemplateName: 'nudge', TemplateContent: { Subject: 'Still there, {{name}}?', Text: 'Deal {{deal.id}}' } }));
    const sent = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'noreply@tradeflow.example',
        Destination: { ToAddresses: ['tpl@example.com'] },
        Content: { Template: { TemplateArn: `arn:aws:ses:${REGION}:${ACCOUNT}:template/nudge`, TemplateData: '{"name":"Bo","deal":{"id":"D-7"}}' } },
      }),
    );
    const { body: nudge } = await json(`${edge.url}/_local/ses/messages/${sent.MessageId}`);
    expect(nudge).toMatchObject({ subject: 'Still there, Bo?', text: 'Deal D-7' });
    expect(nudge.html).toBeUndefined();
  });

  it('answers errors as SES does', async () => {
    const send = (overrides: Record<string, unknown>) =>
      client.send(
        new SendEmailCommand({
          FromEmailAddress: 'noreply@tradeflow.example',
          Destination: { ToAddresses: ['x@example.com'] },
          Content: { Template: { TemplateName: 'no-such-template', TemplateData: '{}' } },
          ...overrides,
        }),
      );
    await expect(send({})).rejects.toSatisfy((e) => e instanceof NotFoundException && /no-such-template/.test(e.message));
    await expect(send({ ConfigurationSetName: 'nope' })).rejects.toBeInstanceOf(NotFoundException);
    await expect(send({ Content: { Template: { TemplateName: 'welcome', TemplateData: '{not json' } } })).rejects.toMatchObject({
      name: 'BadRequestException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(send({ Destination: {}, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } } })).rejects.toMatchObject({
      name: 'BadRequestException',
      message: expect.stringMatching(/recipient/),
    });
  });

  it('keeps email templates: create, get, update, list, delete', async () => {
    await client.send(new CreateEmailTemplateCommand({ TemplateName: 'crud', TemplateContent: { Subject: 'a', Html: '<p>a</p>' } }));
    await expect(
      client.send(new CreateEmailTemplateCommand({ TemplateName: 'crud', TemplateContent: { Subject: 'a' } })),
    ).rejects.toBeInstanceOf(AlreadyExistsException);
    await client.send(new UpdateEmailTemplateCommand({ TemplateName: 'crud', TemplateContent: { Subject: 'b', Text: 'b' } }));
    expect(await client.send(new GetEmailTemplateCommand({ TemplateName: 'crud' }))).toMatchObject({
      TemplateName: 'crud',
      TemplateContent: { Subject: 'b', Text: 'b' },
    });
    const first = await client.send(new ListEmailTemplatesCommand({ PageSize: 1 }));
    expect(first.TemplatesMetadata).toHaveLength(1);
    expect(first.TemplatesMetadata![0]!.CreatedTimestamp).toBeInstanceOf(Date);
    const rest = await client.send(new ListEmailTemplatesCommand({ NextToken: first.NextToken, PageSize: 100 }));
    const names = [...first.TemplatesMetadata!, ...rest.TemplatesMetadata!].map((t) => t.TemplateName);
    expect(names).toEqual(expect.arrayContaining(['crud', 'welcome']));
    await client.send(new DeleteEmailTemplateCommand({ TemplateName: 'crud' }));
    await expect(client.send(new GetEmailTemplateCommand({ TemplateName: 'crud' }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it('tells the account can send', async () => {
    const account = await client.send(new GetAccountCommand({}));
    expect(account).toMatchObject({ SendingEnabled: true, ProductionAccessEnabled: true });
    expect(account.SendQuota?.SentLast24Hours).toBeGreaterThan(0);
  });

  it('bounces and complains for the mailbox simulator addresses', async () => {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'noreply@tradeflow.example',
        Destination: { ToAddresses: ['bounce@simulator.amazonses.com', 'complaint@simulator.amazonses.com'] },
        Content: { Simple: { Subject: { Data: 'sim' }, Body: { Text: { Data: 'x' } } } },
        ConfigurationSetName: 'crm-mail',
      }),
    );
    expect(putEvents.map((e) => e.DetailType)).toEqual(['Email Sent', 'Email Delivered', 'Email Bounced', 'Email Complaint Received']);
    const [, delivery, bounce, complaint] = putEvents.map((e) => JSON.parse(e.Detail));
    expect(delivery.delivery.recipients).toEqual(['complaint@simulator.amazonses.com']);
    expect(bounce.bounce).toMatchObject({
      bounceType: 'Permanent',
      bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com', action: 'failed' }],
    });
    expect(complaint.complaint.complainedRecipients).toEqual([{ emailAddress: 'complaint@simulator.amazonses.com' }]);
  });

  it('simulates opens and clicks of links in the mail, and refuses a link that is not in it', async () => {
    const { MessageId } = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'noreply@tradeflow.example',
        Destination: { ToAddresses: ['reader@example.com'] },
        Content: { Simple: { Subject: { Data: 'Offer' }, Body: { Html: { Data: '<a href="https://tradeflow.example/offer?a=1&amp;b=2">offer</a>' } } } },
        ConfigurationSetName: 'crm-mail',
      }),
    );
    putEvents = [];
    const base = `${edge.url}/_local/ses/messages/${MessageId}`;
    const post = (action: string, body: unknown) =>
      json(`${base}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await post('open', {})).body).toMatchObject({ eventType: 'Open', published: true });
    const click = await post('click', { link: 'https://tradeflow.example/offer?a=1&b=2', userAgent: 'test-agent' });
    expect(click.body).toMatchObject({ eventType: 'Click', published: true, details: { link: 'https://tradeflow.example/offer?a=1&b=2' } });
    const refused = await post('click', { link: 'https://evil.example/' });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/not in message/);

    expect(putEvents.map((e) => e.DetailType)).toEqual(['Email Opened', 'Email Clicked']);
    const clicked = JSON.parse(putEvents[1].Detail);
    expect(clicked).toMatchObject({
      eventType: 'Click',
      mail: { messageId: MessageId },
      click: { ipAddress: '127.0.0.1', userAgent: 'test-agent', link: 'https://tradeflow.example/offer?a=1&b=2', linkTags: {} },
    });
    const { body: message } = await json(base);
    expect(message.events.map((e: any) => e.eventType)).toEqual(['Send', 'Delivery', 'Open', 'Click']);
    expect((await json(`${edge.url}/_local/ses/messages/no-such-id/open`, { method: 'POST' })).status).toBe(404);
  });

  it('records but does not publish engagement a configuration set does not ask for', async () => {
    const { MessageId } = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'noreply@tradeflow.example',
        Destination: { ToAddresses: ['quiet@example.com'] },
        Content: { Simple: { Subject: { Data: 'q' }, Body: { Text: { Data: 'q' } } } },
        ConfigurationSetName: 'quiet',
      }),
    );
    const open = await json(`${edge.url}/_local/ses/messages/${MessageId}/open`, { method: 'POST' });
    expect(open.body).toMatchObject({ eventType: 'Open', published: false });
    expect(putEvents).toEqual([]);
  });

  it('shows mail on an HTML page with everything escaped', async () => {
    const { MessageId } = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'noreply@tradeflow.example',
        Destination: { ToAddresses: ['page@example.com'] },
        Content: { Simple: { Subject: { Data: '<script>alert(1)</script>' }, Body: { Html: { Data: '<p>"hi"</p><script>alert(2)</script>' }, Text: { Data: 'Open to decide: http://127.0.0.1:3000/approval-links/abc.def\nThanks' } } } },
      }),
    );
    const list = await fetch(`${edge.url}/_local/ses`);
    expect(list.headers.get('content-type')).toMatch(/text\/html/);
    const listHtml = await list.text();
    expect(listHtml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(listHtml).not.toContain('<script>');

    const view = await (await fetch(`${edge.url}/_local/ses?id=${MessageId}`)).text();
    expect(view).not.toContain('<script>');
    expect(view).toContain('Open to decide: <a href="http://127.0.0.1:3000/approval-links/abc.def" target="_blank" rel="noopener">');
    // scripts stay off (no allow-scripts); links open outside the preview, in a tab of their own
    expect(view).toContain('<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="&lt;base target&#61;&quot;_blank&quot;&gt;&lt;p&gt;&quot;hi&quot;&lt;/p&gt;&lt;script&gt;');
  });


  it('keeps sent mail and API-made templates across a restart when given a folder', async () => {
    const again = createSesService({ edgeUrl: edge.url, clock: createLocalClock(), dataDir, region: REGION, accountId: ACCOUNT });
    const restarted = await startEdge({ port: 0 });
    restarted.register(again.edgeService);
    try {
      const { body: messages } = await json(`${restarted.url}/_local/ses/messages`);
      expect(messages.length).toBeGreaterThan(5);
      // newest first
      expect(messages[0].subject).toBe('<script>alert(1)</script>');
      const restartedClient = new SESv2Client({ endpoint: restarted.url, region: REGION, credentials });
      expect((await restartedClient.send(new GetEmailTemplateCommand({ TemplateName: 'nudge' }))).TemplateContent?.Subject).toBe('Still there, {{name}}?');
      restartedClient.destroy();
    } finally {
      await again.stop();
      await restarted.stop();
    }
  });
});
