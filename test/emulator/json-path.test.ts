import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, JsonPathError, parseJsonPath } from '../../local/common/json-path';

/** The runtime's one JSONPath, as EventBridge's input paths and Step Functions' paths both use it. */
const event = { 'detail-type': 'Lead.Captured', detail: { tags: [{ key: 'a' }, { key: 'b' }, { key: 'c' }], 'form/id': 'web' } };

describe('the local JSONPath', () => {
  it('selects one value with a definite path, undefined when it reaches nothing', () => {
    expect(evaluateJsonPath('$', event)).toBe(event);
    expect(evaluateJsonPath('$.detail-type', event)).toBe('Lead.Captured');
    expect(evaluateJsonPath("$.detail['form/id']", event)).toBe('web');
    expect(evaluateJsonPath('$.detail.tags[-1].key', event)).toBe('c');
    expect(evaluateJsonPath('$.detail.missing', event)).toBeUndefined();
    expect(evaluateJsonPath('$.detail.tags[9]', event)).toBeUndefined();
  });

  it('selects a list with a wildcard or a slice', () => {
    expect(evaluateJsonPath('$.detail.tags[*].key', event)).toEqual(['a', 'b', 'c']);
    expect(evaluateJsonPath('$.detail.tags[1:].key', event)).toEqual(['b', 'c']);
    expect(evaluateJsonPath('$.detail.nothing[*]', event)).toEqual([]);
    expect(parseJsonPath('$.a.*').definite).toBe(false);
  });

  it('reads the context object with $$ where there is one, and refuses it where there is none', () => {
    expect(evaluateJsonPath('$$.Task.Token', {}, { Task: { Token: 't-1' } })).toBe('t-1');
    expect(() => evaluateJsonPath('$$.Task.Token', event)).toThrow(JsonPathError);
  });

  it('names what it cannot parse', () => {
    expect(() => parseJsonPath('detail')).toThrow("Invalid JSONPath 'detail': it must start with '$'");
    expect(() => parseJsonPath('$..key')).toThrow("'..' is not supported locally");
    expect(() => parseJsonPath('$.tags[?(@.key)]')).toThrow('is not supported locally');
  });
});
