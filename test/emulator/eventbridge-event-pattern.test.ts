import { describe, expect, it } from 'vitest';
import { compileEventPattern, InvalidEventPatternError } from '../../local/eventbridge/event-pattern';

/** An event as EventBridge delivers it, with the given detail (and top-level overrides). */
const event = (detail: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail,
  ...top,
});

type Case = [name: string, pattern: unknown, event: unknown, matches: boolean];

// examples after the EventBridge user guide ("Event patterns", "Content filtering in event patterns")
const cases: Case[] = [
  // exact values
  ['exact string', { source: ['aws.ec2'] }, event({}), true],
  ['exact string, other value', { source: ['aws.s3'] }, event({}), false],
  ['list of values is an OR', { source: ['aws.s3', 'aws.ec2'] }, event({}), true],
  ['exact is case-sensitive', { source: ['AWS.EC2'] }, event({}), false],
  ['nested field', { detail: { state: ['running'] } }, event({ state: 'running' }), true],
  ['fields are ANDed', { source: ['aws.ec2'], detail: { state: ['running'] } }, event({ state: 'stopped' }), false],
  ['number', { detail: { count: [5] } }, event({ count: 5 }), true],
  ['number compares by value', { detail: { count: [300] } }, event({ count: 300.0 }), true],
  ['a number never matches a string', { detail: { count: [5] } }, event({ count: '5' }), false],
  ['a string never matches a number', { detail: { count: ['5'] } }, event({ count: 5 }), false],
  ['boolean', { detail: { ok: [true] } }, event({ ok: true }), true],
  ['boolean is not a string', { detail: { ok: [true] } }, event({ ok: 'true' }), false],
  ['null matches null', { detail: { responseElements: [null] } }, event({ responseElements: null }), true],
  ['null does not match an absent field', { detail: { responseElements: [null] } }, event({}), false],
  ['empty string matches empty string', { detail: { lastName: [''] } }, event({ lastName: '' }), true],
  ['empty string is not null', { detail: { lastName: [''] } }, event({ lastName: null }), false],
  ['absent field does not match', { detail: { state: ['running'] } }, event({}), false],
  // arrays in events
  ['event array matches when any element does', { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] }, event({}), true],
  ['event array: any element vs any value', { detail: { tags: ['b', 'z'] } }, event({ tags: ['a', 'b'] }), true],
  ['event array: no element matches', { detail: { tags: ['z'] } }, event({ tags: ['a', 'b'] }), false],
  ['array of objects: a sub-pattern matches one element', { detail: { items: { sku: ['B'] } } }, event({ items: [{ sku: 'A' }, { sku: 'B' }] }), true],
  ['array of objects: fields must match in the same element', { detail: { items: { sku: ['A'], qty: [2] } } }, event({ items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }] }), false],
  ['empty event array matches no value', { detail: { tags: ['a'] } }, event({ tags: [] }), false],
  // prefix / suffix / equals-ignore-case
  ['prefix', { time: [{ prefix: '2017-12-22' }] }, event({}), true],
  ['prefix, no match', { time: [{ prefix: '2018' }] }, event({}), false],
  ['prefix only matches strings', { detail: { n: [{ prefix: '12' }] } }, event({ n: 123 }), false],
  ['prefix equals-ignore-case', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, event({ service: 'eventbridge' }), true],
  ['suffix', { detail: { FileName: [{ suffix: '.png' }] } }, event({ FileName: 'image.png' }), true],
  ['suffix is case-sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, event({ FileName: 'image.PNG' }), false],
  ['suffix equals-ignore-case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, event({ FileName: 'image.PNG' }), true],
  ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, event({}), true],
  ['equals-ignore-case is whole-value', { detail: { s: [{ 'equals-ignore-case': 'run' }] } }, event({ s: 'running' }), false],
  ['equals-ignore-case only matches strings', { detail: { s: [{ 'equals-ignore-case': 'true' }] } }, event({ s: true }), false],
  // anything-but
  ['anything-but string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, event({ state: 'running' }), true],
  ['anything-but string, excluded', { detail: { state: [{ 'anything-but': 'initializing' }] } }, event({ state: 'initializing' }), false],
  ['anything-but number', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event({ 'x-limit': 456 }), true],
  ['anything-but number, excluded', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, event({ 'x-limit': 123 }), false],
  ['anything-but list', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, event({ state: 'overloaded' }), false],
  ['anything-but list, other value', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, event({ state: 'running' }), true],
  ['anything-but never matches an absent field', { detail: { state: [{ 'anything-but': 'stopped' }] } }, event({}), false],
  ['anything-but on an event array: any other element', { detail: { tags: [{ 'anything-but': 'a' }] } }, event({ tags: ['a', 'b'] }), true],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event({ state: 'initializing' }), false],
  ['anything-but prefix, other', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, event({ state: 'running' }), true],
  ['anything-but suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, event({ FileName: 'notes.txt' }), false],
  ['anything-but equals-ignore-case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Overloaded'] } }] } }, event({ state: 'STOPPED' }), false],
  ['anything-but equals-ignore-case, other', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'Stopped' } }] } }, event({ state: 'running' }), true],
  ['anything-but wildcard', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, event({ FilePath: '/usr/lib/x' }), false],
  ['anything-but wildcard, other', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, event({ FilePath: '/usr/bin/x' }), true],
  // numeric
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event({ 'c-count': 5 }), true],
  ['numeric range, above', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event({ 'c-count': 5.5 }), false],
  ['numeric range, exclusive lower bound', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, event({ 'c-count': 0 }), false],
  ['numeric =', { detail: { price: [{ numeric: ['=', 100] }] } }, event({ price: 100.0 }), true],
  ['numeric >=', { detail: { price: [{ numeric: ['>=', 10] }] } }, event({ price: 10 }), true],
  ['numeric <', { detail: { price: [{ numeric: ['<', 10] }] } }, event({ price: -3 }), true],
  ['numeric only matches numbers', { detail: { price: [{ numeric: ['>', 0] }] } }, event({ price: '5' }), false],
  ['numeric on an event array', { detail: { scores: [{ numeric: ['>=', 90] }] } }, event({ scores: [10, 95] }), true],
  // exists
  ['exists true', { detail: { state: [{ exists: true }] } }, event({ state: 'x' }), true],
  ['exists true, absent', { detail: { state: [{ exists: true }] } }, event({}), false],
  ['exists true on null', { detail: { state: [{ exists: true }] } }, event({ state: null }), true],
  ['exists false, absent', { detail: { state: [{ exists: false }] } }, event({}), true],
  ['exists false, present', { detail: { state: [{ exists: false }] } }, event({ state: 'x' }), false],
  ['exists false when the parent is absent', { detail: { a: { b: [{ exists: false }] } } }, event({}), true],
  ['exists only sees leaves: an object is not a leaf', { detail: { 'c-count': [{ exists: false }] } }, event({ 'c-count': { c1: 100 } }), true],
  ['exists true on an object', { detail: { 'c-count': [{ exists: true }] } }, event({ 'c-count': { c1: 100 } }), false],
  ['exists true on an empty array', { detail: { tags: [{ exists: true }] } }, event({ tags: [] }), false],
  ['exists false on an empty array', { detail: { tags: [{ exists: false }] } }, event({ tags: [] }), true],
  // wildcard
  ['wildcard', { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } }, event({ EventBusArn: 'arn:aws:events:us-east-1:123:event-bus/crm' }), true],
  ['wildcard, no match', { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } }, event({ EventBusArn: 'arn:aws:events:eu-west-1:123:event-bus/crm' }), false],
  ['wildcard matches the empty run', { detail: { f: [{ wildcard: 'a*b' }] } }, event({ f: 'ab' }), true],
  ['wildcard escaped star is literal', { detail: { f: [{ wildcard: 'a\\*b' }] } }, event({ f: 'a*b' }), true],
  ['wildcard escaped star is not a wildcard', { detail: { f: [{ wildcard: 'a\\*b' }] } }, event({ f: 'axb' }), false],
  ['wildcard regex characters are literal', { detail: { f: [{ wildcard: 'a.c*' }] } }, event({ f: 'abcd' }), false],
  // cidr
  ['cidr IPv4', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, event({ 'source-ip': '10.0.0.255' }), true],
  ['cidr IPv4 outside', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, event({ 'source-ip': '10.0.1.0' }), false],
  ['cidr IPv6', { detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } }, event({ 'source-ip': '2001:db8:ffff::1' }), true],
  ['cidr IPv6 outside', { detail: { 'source-ip': [{ cidr: '2001:db8::/32' }] } }, event({ 'source-ip': '2001:db9::1' }), false],
  ['cidr is family-specific', { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, event({ 'source-ip': '::ffff:10.0.0.1' }), false],
  ['cidr ignores non-addresses', { detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, event({ 'source-ip': 'localhost' }), false],
  // $or
  ['$or, first alternative', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } }, event({ 'c-count': 3 }), true],
  ['$or, second alternative', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } }, event({ 'd-count': 3 }), true],
  ['$or, neither', { detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } }, event({ 'c-count': 9 }), false],
  ['$or at the root, with other fields ANDed', { source: ['aws.ec2'], $or: [{ 'detail-type': ['x'] }, { detail: { state: ['running'] } }] }, event({ state: 'running' }), true],
  // several operators in one list: any may match
  ['mixed list of operators', { detail: { state: [{ prefix: 'run' }, 'stopped', { exists: false }] } }, event({ state: 'stopped' }), true],
];

const invalid: [name: string, pattern: unknown][] = [
  ['not an object', ['aws.ec2']],
  ['not JSON', '{"source": '],
  ['empty pattern', {}],
  ['a leaf that is not a list', { source: 'aws.ec2' }],
  ['an empty list', { source: [] }],
  ['unknown operator', { source: [{ contains: 'ec2' }] }],
  ['operator with two keys', { source: [{ prefix: 'a', suffix: 'b' }] }],
  ['prefix of a number', { source: [{ prefix: 5 }] }],
  ['exists not boolean', { source: [{ exists: 'yes' }] }],
  ['numeric with a string bound', { detail: { n: [{ numeric: ['>', '5'] }] } }],
  ['numeric with an unknown comparison', { detail: { n: [{ numeric: ['!=', 5] }] } }],
  ['numeric = with a range', { detail: { n: [{ numeric: ['=', 5, '<', 6] }] } }],
  ['numeric empty range', { detail: { n: [{ numeric: ['>', 5, '<', 1] }] } }],
  ['anything-but boolean', { detail: { n: [{ 'anything-but': true }] } }],
  ['anything-but unknown operator', { detail: { n: [{ 'anything-but': { numeric: ['>', 1] } }] } }],
  ['wildcard with consecutive stars', { detail: { n: [{ wildcard: 'a**b' }] } }],
  ['wildcard with a bad escape', { detail: { n: [{ wildcard: 'a\\b' }] } }],
  ['cidr not a block', { detail: { ip: [{ cidr: '10.0.0.0/33' }] } }],
  ['$or with one alternative', { $or: [{ source: ['a'] }] }],
];

describe('event patterns', () => {
  it.each(cases)('%s', (_name, pattern, evt, expected) => {
    expect(compileEventPattern(pattern)(evt)).toBe(expected);
  });

  it('accepts the pattern as JSON text too', () => {
    expect(compileEventPattern('{"source":["aws.ec2"]}')(event({}))).toBe(true);
  });

  it.each(invalid)('rejects %s with InvalidEventPatternException', (_name, pattern) => {
    let error: unknown;
    try {
      compileEventPattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect((error as InvalidEventPatternError).code).toBe('InvalidEventPatternException');
    expect((error as Error).message).toMatch(/^Event pattern is not valid\. Reason: /);
  });
});
