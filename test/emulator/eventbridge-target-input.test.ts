import { describe, expect, it } from 'vitest';
import { evaluateJsonPath } from '../../local/common/json-path';
import type { BusEvent, TargetConfig } from '../../local/eventbridge/eventbridge-model';
import { targetInput } from '../../local/eventbridge/target-input';

const event: BusEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-1'],
  detail: { instance: 'i-1', state: 'running', tags: [{ key: 'a' }, { key: 'b' }], count: 3, nested: { x: 'say "hi"' } },
};
const rule = { name: 'my-rule', arn: 'arn:aws:events:us-east-1:123456789012:rule/my-rule' };
const input = (target: Partial<TargetConfig>) => targetInput({ Id: 't', Arn: 'arn', ...target }, event, rule, '2026-01-01T00:00:01.000Z');
const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = { instance: '$.detail.instance', state: '$.detail.state' }) =>
  input({ InputTransformer: { InputPathsMap, InputTemplate } });

describe('target input', () => {
  it('is the event by default, the constant Input, or the InputPath selection', () => {
    expect(JSON.parse(input({}))).toEqual(event);
    expect(input({ Input: '{"fixed":true}' })).toBe('{"fixed":true}');
    expect(JSON.parse(input({ InputPath: '$.detail.nested' }))).toEqual({ x: 'say "hi"' });
    expect(input({ InputPath: '$.detail.missing' })).toBe('null');
  });

  it('evaluates the JSONPath subset: dots, dashes, indices and wildcards', () => {
    expect(evaluateJsonPath('$.detail-type', event)).toBe(event['detail-type']);
    expect(evaluateJsonPath('$.resources[0]', event)).toBe('arn:aws:ec2:us-east-1:123456789012:instance/i-1');
    expect(evaluateJsonPath('$.detail.tags[*].key', event)).toEqual(['a', 'b']);
    expect(evaluateJsonPath('$', event)).toBe(event);
  });

  it('puts string values in quotes when a placeholder is outside a JSON string', () => {
    expect(JSON.parse(transform('{"instance": <instance>, "state": [9, <state>, true]}'))).toEqual({ instance: 'i-1', state: [9, 'running', true] });
  });

  it('puts the bare characters of a string inside a JSON string', () => {
    expect(JSON.parse(transform('{"text": "<instance> is in state <state>"}'))).toEqual({ text: 'i-1 is in state running' });
    expect(transform('"<instance> is in state <state>"')).toBe('"i-1 is in state running"');
    expect(JSON.parse(transform('{"quoted": "<q>"}', { q: '$.detail.nested.x' }))).toEqual({ quoted: 'say "hi"' });
  });

  it('keeps escaped quotes in the template, and text templates as text', () => {
    expect(transform('<instance> is in state \\"<state>\\"')).toBe('"i-1" is in state \\"running\\"');
    expect(transform('instance <instance>')).toBe('instance "i-1"');
  });

  it('inserts numbers, objects and lists as JSON, and null for what the event lacks', () => {
    const out = transform('{"n": <n>, "tags": <tags>, "none": <none>, "inText": "<none>"}', {
      n: '$.detail.count',
      tags: '$.detail.tags',
      none: '$.detail.nothing',
    });
    expect(JSON.parse(out)).toEqual({ n: 3, tags: [{ key: 'a' }, { key: 'b' }], none: null, inText: '' });
  });

  it('knows the predefined variables', () => {
    const out = JSON.parse(
      transform('{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>", "at": "<aws.events.event.ingestion-time>", "e": <aws.events.event.json>, "meta": <aws.events.event>}', {}),
    );
    expect(out).toMatchObject({ rule: 'my-rule', arn: rule.arn, at: '2026-01-01T00:00:01.000Z', e: event });
    expect(out.meta).not.toHaveProperty('detail');
    expect(out.meta.id).toBe('e-1');
  });

  it('leaves unknown placeholders alone', () => {
    expect(transform('a <b> c', {})).toBe('a <b> c');
  });
});
