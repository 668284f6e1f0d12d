import path from 'node:path';
import type { ServerResponse } from 'node:http';
import type { TemplateResource } from '../assembly/cloud-assembly';
import type { Resolver } from '../assembly/cfn-intrinsics';
import type { EmulatorOptions } from '../clock';
import { sendAwsError, type EdgeService } from '../edge/edge-server';
import type { Reply, SesContext } from './context';
import { SesError } from './ses-errors';
import { handleMailViewer } from './mail-viewer';
import type { ConfigurationSet, EmailTemplate, StoredMessage } from './ses-model';
import { createRecordStore } from './record-store';
import { createEventPublisher, sendingEvents } from './ses-events';
import { handleSesV2 } from './sesv2-api';
import { readSesResources } from './ses-from-template';

/** `dataDir` is this service's own folder (sent mail, templates made through the API). */
export type SesServiceOptions = EmulatorOptions;

export interface SesService {
  /** SESv2 under `/v2/email/...` and the mail catcher under `/_local/ses`; register it on the edge */
  edgeService: EdgeService;
  /** Takes the template's configuration sets, their EventBridge destinations and its AWS::SES::Template resources. */
  loadTemplate(resources: Record<string, TemplateResource>, resolver: Pick<Resolver, 'resolve' | 'physicalId'>): void;
  /**
   * Publishes the sending events (Send, Delivery...) of mail accepted just before the runtime died, which
   * SES would publish whatever became of the caller; call it once the buses take events. Resolves with how many.
   */
  publishUnrecordedEvents(): Promise<number>;
  stop(): Promise<void>;
}

/** The local SES: a mail catcher behind the SESv2 API whose configuration sets publish SES's events to EventBridge. */
export function createSesService(opts: SesServiceOptions): SesService {
  const log = opts.log ?? (() => {});
  const publisher = createEventPublisher({ ...opts, log });
  const configurationSets = new Map<string, ConfigurationSet>();
  const ctx: SesContext = {
    clock: opts.clock,
    region: opts.region,
    accountId: opts.accountId,
    log,
    templates: createRecordStore<EmailTemplate>(opts.dataDir && path.join(opts.dataDir, 'templates')),
    messages: createRecordStore<StoredMessage>(opts.dataDir && path.join(opts.dataDir, 'messages')),
    configurationSets,
    async recordEvents(message, events) {
      const published = await publisher.publish(configurationSets.get(message.configurationSet ?? ''), message, events);
      const recorded = events.map((e) => ({ ...e, published: published.has(e.eventType) }));
      // re-read: an open or click may have been recorded on the message meanwhile
      const current = ctx.messages.get(message.id) ?? message;
      ctx.messages.put(message.id, { ...current, events: [...current.events, ...recorded] });
      return recorded;
    },
  };

  return {
    edgeService: {
      name: 'SES',
      matches: (req) => /^\/v2\/email\/|^\/_local\/ses(?:[/?]|$)/.test(req.url ?? ''),
      async handle(req, res, body) {
        try {
          const local = req.url?.startsWith('/_local/');
          reply(res, await (local ? handleMailViewer(ctx, req, body) : handleSesV2(ctx, req, body)));
        } catch (error) {
          if (!(error instanceof SesError)) throw error;
          sendAwsError(res, error.status, error.type, error.message);
        }
      },
    },
    loadTemplate(resources, resolver) {
      const found = readSesResources(resources, resolver, opts.clock.nowIso(), log);
      configurationSets.clear();
      for (const set of found.configurationSets) configurationSets.set(set.name, set);
      // the template is the source of truth for its own templates, as a deploy would make it
      for (const template of found.templates) ctx.templates.put(template.name, template);
      const destinations = found.configurationSets.flatMap((s) => s.destinations.map((d) => `${s.name} → bus ${d.busName} (${[...d.eventTypes].join(', ')})`));
      log(`SES: ${found.configurationSets.length} configuration set(s)${destinations.length ? `: ${destinations.join('; ')}` : ''}, ${found.templates.length} template(s)`);
    },
    async publishUnrecordedEvents() {
      const accepted = ctx.messages.values().filter((m) => m.events.length === 0);
      for (const message of accepted) await ctx.recordEvents(message, sendingEvents(message, ctx.clock.nowIso(), 0));
      if (accepted.length > 0) log(`SES: published the sending events of ${accepted.length} mail(s) accepted before a restart`);
      return accepted.length;
    },
    async stop() {
      publisher.stop();
    },
  };
}

function reply(res: ServerResponse, answer: Reply): void {
  if ('html' in answer) {
    res.writeHead(answer.status, {
      'content-type': 'text/html; charset=utf-8',
      // the page shows mail HTML in a sandboxed iframe; this keeps anything in it from loading or running
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    });
    res.end(answer.html);
    return;
  }
  res.writeHead(answer.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(answer.json));
}
