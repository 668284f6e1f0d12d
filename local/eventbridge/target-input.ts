import { evaluateJsonPath } from '../common/json-path';
import type { BusEvent, TargetConfig } from './eventbridge-model';

export interface RuleRef {
  name: string;
  arn: string;
}

/**
 * What a target receives for an event: the event itself, or the target's constant Input, the part
 * of the event its InputPath selects, or its InputTransformer's template filled in.
 */
export function targetInput(target: TargetConfig, event: BusEvent, rule: RuleRef, ingestionTime: string): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(evaluateJsonPath(target.InputPath, event) ?? null);
  if (target.InputTransformer) {
    const { InputPathsMap = {}, InputTemplate } = target.InputTransformer;
    const { detail: _detail, ...withoutDetail } = event;
    const values = new Map<string, unknown>([
      ['aws.events.rule-arn', rule.arn],
      ['aws.events.rule-name', rule.name],
      ['aws.events.event.ingestion-time', ingestionTime],
      ['aws.events.event', withoutDetail],
      ['aws.events.event.json', event],
    ]);
    for (const [name, path] of Object.entries(InputPathsMap)) values.set(name, evaluateJsonPath(path, event));
    return fillTemplate(InputTemplate, values);
  }
  return JSON.stringify(event);
}

/**
 * Replaces `<name>` placeholders. Inside a JSON string (`"<name>"`) a string value goes in as its
 * characters, escaped for JSON, and any other value as its JSON text escaped likewise; outside one
 * (`{"a": <name>}`) every value goes in as JSON, so a string value arrives with its quotes. A value
 * the event lacks is `null` outside quotes and nothing inside them. Unknown names are left as is.
 */
export function fillTemplate(template: string, values: Map<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (inString && c === '\\') {
      out += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    const close = c === '<' ? template.indexOf('>', i + 1) : -1;
    const name = close > 0 ? template.slice(i + 1, close) : undefined;
    if (name === undefined || !values.has(name)) {
      out += c;
      continue;
    }
    const value = values.get(name);
    if (inString) {
      if (value !== undefined) out += JSON.stringify(typeof value === 'string' ? value : JSON.stringify(value)).slice(1, -1);
    } else {
      out += value === undefined ? 'null' : JSON.stringify(value);
    }
    i = close;
  }
  return out;
}
