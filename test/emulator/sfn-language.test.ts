import { describe, expect, it } from 'vitest';
import { evaluateRule, stringMatches } from '../../local/stepfunctions/choice';
import { errorMatches } from '../../local/stepfunctions/states-errors';
import { evaluateIntrinsic, parseIntrinsic } from '../../local/stepfunctions/asl-intrinsic-functions';
import { readPath, writePath } from '../../local/stepfunctions/asl-paths';
import { applyTemplate } from '../../local/stepfunctions/payload';
import { stateMachinesFromTemplate } from '../../local/stepfunctions/state-machines-from-template';
import { validateDefinition } from '../../local/stepfunctions/validate';

const env = (input: unknown = {}, context: unknown = {}) => ({ input, context, random: () => 0.5 });

describe('JSONPath', () => {
  const data = { a: { b: [1, 2, 3], 'c d': true }, list: [{ x: 1 }, { x: 2 }] };
  it.each([
    ['$', data],
    ['$.a.b[1]', 2],
    ['$.a.b[-1]', 3],
    ["$.a['c d']", true],
    ['$.list[*].x', [1, 2]],
    ['$.a.b[0:2]', [1, 2]],
  ])('%s', (path, expected) => expect(readPath(path, data)).toEqual(expected));

  it('reads the context object with $$ and fails on a missing definite path', () => {
    expect(readPath('$$.Execution.Id', data, { Execution: { Id: 'x' } })).toBe('x');
    expect(() => readPath('$.nope', data)).toThrow(/could not be found/);
  });

  it('writes a ResultPath, creating objects on the way, without touching the input', () => {
    const input = { a: 1 };
    expect(writePath('$.r.s', input, 5)).toEqual({ a: 1, r: { s: 5 } });
    expect(input).toEqual({ a: 1 });
    expect(writePath('$', input, 'x')).toBe('x');
    expect(() => writePath('$.a.b', input, 1)).toThrow(expect.objectContaining({ error: 'States.ResultPathMatchFailure' }));
  });
});

describe('intrinsic functions', () => {
  const input = { name: 'Ann', n: 3, list: [1, 2, 2, 3], json: '{"k":[1]}', obj: { a: 1 } };
  it.each([
    ["States.Format('Hi {}, you have {} \\\\{x\\\\}', $.name, $.n)", 'Hi Ann, you have 3 {x}'],
    ['States.StringToJson($.json)', { k: [1] }],
    ['States.JsonToString($.obj)', '{"a":1}'],
    ["States.Array(1, 'two', $.n, true, null)", [1, 'two', 3, true, null]],
    ['States.ArrayPartition($.list, 3)', [[1, 2, 2], [3]]],
    ['States.ArrayContains($.list, 3)', true],
    ['States.ArrayRange(1, 9, 3)', [1, 4, 7]],
    ['States.ArrayGetItem($.list, 3)', 3],
    ['States.ArrayLength($.list)', 4],
    ['States.ArrayUnique($.list)', [1, 2, 3]],
    ["States.Base64Encode('hello')", 'aGVsbG8='],
    ["States.Base64Decode('aGVsbG8=')", 'hello'],
    ["States.Hash('abc', 'SHA-256')", 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ["States.JsonMerge($.obj, States.StringToJson('{\"b\":2}'), false)", { a: 1, b: 2 }],
    ['States.MathRandom(10, 20)', 15],
    ['States.MathAdd($.n, -1)', 2],
    ["States.StringSplit('a,b;;c', ',;')", ['a', 'b', 'c']],
  ])('%s', (expression, expected) => expect(evaluateIntrinsic(expression, env(input))).toEqual(expected));

  it('makes v4 UUIDs and rejects unknown functions and bad arguments', () => {
    expect(evaluateIntrinsic('States.UUID()', env())).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() => parseIntrinsic('States.Nope(1)')).toThrow(/Unknown intrinsic function States.Nope/);
    expect(() => evaluateIntrinsic('States.ArrayLength(1)', env())).toThrow(expect.objectContaining({ error: 'States.IntrinsicFailure' }));
  });

  it('fills payload templates: .$ keys take paths, context paths and intrinsics', () => {
    const template = { 'who.$': '$.name', 'id.$': '$$.Execution.Id', 'greeting.$': "States.Format('hi {}', $.name)", fixed: { 'n.$': '$.n' } };
    expect(applyTemplate(template, env(input, { Execution: { Id: 'e1' } }))).toEqual({ who: 'Ann', id: 'e1', greeting: 'hi Ann', fixed: { n: 3 } });
  });
});

describe('Choice rules', () => {
  const input = { s: 'apple', n: 5, b: true, t: '2024-01-02T03:04:05Z', other: 5, nil: null, ts2: '2024-01-03T00:00:00+01:00' };
  it.each<[Record<string, unknown>, boolean]>([
    [{ Variable: '$.s', StringEquals: 'apple' }, true],
    [{ Variable: '$.s', StringLessThan: 'banana' }, true],
    [{ Variable: '$.s', StringGreaterThanEquals: 'apple' }, true],
    [{ Variable: '$.s', StringMatches: 'a*e' }, true],
    [{ Variable: '$.s', StringMatches: 'a\\*' }, false],
    [{ Variable: '$.n', NumericEquals: 5 }, true],
    [{ Variable: '$.n', NumericGreaterThan: 5 }, false],
    [{ Variable: '$.n', NumericLessThanEquals: 5 }, true],
    [{ Variable: '$.n', NumericEqualsPath: '$.other' }, true],
    [{ Variable: '$.s', NumericEquals: 5 }, false],
    [{ Variable: '$.b', BooleanEquals: true }, true],
    [{ Variable: '$.t', TimestampLessThan: '2024-01-03T00:00:00Z' }, true],
    [{ Variable: '$.t', TimestampLessThanPath: '$.ts2' }, true],
    [{ Variable: '$.missing', IsPresent: false }, true],
    [{ Variable: '$.nil', IsNull: true }, true],
    [{ Variable: '$.n', IsNumeric: true }, true],
    [{ Variable: '$.s', IsString: true }, true],
    [{ Variable: '$.b', IsBoolean: true }, true],
    [{ Variable: '$.t', IsTimestamp: true }, true],
    [{ Variable: '$.s', IsTimestamp: true }, false],
    [{ And: [{ Variable: '$.n', NumericGreaterThan: 1 }, { Variable: '$.b', BooleanEquals: true }] }, true],
    [{ Or: [{ Variable: '$.n', NumericGreaterThan: 10 }, { Variable: '$.s', StringEquals: 'x' }] }, false],
    [{ Not: { Variable: '$.s', StringEquals: 'x' } }, true],
  ])('%j → %s', (rule, expected) => expect(evaluateRule(rule, input, {})).toBe(expected));

  it('matches wildcards literally except *', () => {
    expect(stringMatches('log-2024.txt', 'log-*.txt')).toBe(true);
    expect(stringMatches('a*b', 'a\\*b')).toBe(true);
    expect(stringMatches('axb', 'a\\*b')).toBe(false);
  });
});

describe('error names', () => {
  it.each([
    [['States.ALL'], 'Custom', true],
    [['States.TaskFailed'], 'Custom', true],
    [['States.TaskFailed'], 'States.Timeout', false],
    [['States.Timeout'], 'States.HeartbeatTimeout', true],
    [['States.ALL'], 'States.Runtime', false],
    [['Other'], 'Custom', false],
  ])('%j catches %s: %s', (equals, error, expected) => expect(errorMatches(equals, error)).toBe(expected));
});

describe('CreateStateMachine validation', () => {
  const machine = (state: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ StartAt: 'S', States: { S: { End: true, ...state } }, ...extra });
  it.each([
    [machine({ Type: 'Pass' }, { QueryLanguage: 'JSONata' }), /QueryLanguage 'JSONata' is not supported/],
    [machine({ Type: 'Pass', QueryLanguage: 'JSONata' }), /at \/States\/S\/QueryLanguage/],
    [machine({ Type: 'Pass', Assign: { x: 1 } }), /variables \(Assign\).* at \/States\/S\/Assign/],
    [machine({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: {} }), /'Arguments' belongs to JSONata.* at \/States\/S\/Arguments/],
    [machine({ Type: 'Pass', Output: {} }), /at \/States\/S\/Output/],
    [machine({ Type: 'Task', Resource: 'arn:aws:states:::glue:startJobRun' }), /integration 'glue:startJobRun' is not supported.* at \/States\/S\/Resource/],
    [machine({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:nosuchservice:doIt' }), /@aws-sdk\/client-nosuchservice.*not installed/],
    [machine({ Type: 'Pass', Parameters: { 'x.$': 'States.Nope()' } }), /Unknown intrinsic function States.Nope at \/States\/S\/Parameters\/x.\$/],
    [machine({ Type: 'Map', ItemReader: {}, ItemProcessor: { StartAt: 'A', States: { A: { Type: 'Succeed' } } } }), /distributed Map/],
    [machine({ Type: 'Wait' }), /exactly one of Seconds/],
    [machine({ Type: 'Pass', Next: 'Nowhere', End: undefined }), /Next 'Nowhere' is not a state/],
    [{ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Condition: '{% true %}', Next: 'C' }] } } }, /'Condition' belongs to JSONata/],
  ])('rejects %#', (definition, message) => expect(() => validateDefinition(definition)).toThrow(message));

  it('accepts every state type in JSONPath mode', () => {
    const definition = {
      StartAt: 'P',
      TimeoutSeconds: 60,
      States: {
        P: { Type: 'Pass', Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'W' }], Default: 'Par' },
        W: { Type: 'Wait', Seconds: 1, Next: 'Par' },
        Par: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Succeed' } } }], Next: 'M' },
        M: { Type: 'Map', ItemsPath: '$', Iterator: { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } }, Next: 'T' },
        T: {
          Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't' },
          Retry: [{ ErrorEquals: ['States.ALL'], JitterStrategy: 'FULL' }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F' }], Next: 'S',
        },
        S: { Type: 'Succeed' },
        F: { Type: 'Fail', Error: 'E', Cause: 'c' },
      },
    };
    expect(() => validateDefinition(definition)).not.toThrow();
  });
});

describe('stateMachinesFromTemplate', () => {
  it('resolves DefinitionString joins and DefinitionSubstitutions', () => {
    const resources = {
      Flow: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'flow',
          DefinitionString: { 'Fn::Join': ['', ['{"StartAt":"A","States":{"A":{"Type":"Pass","Result":"${greeting}","End":true}}}']] },
          DefinitionSubstitutions: { greeting: 'say "hi"' },
          RoleArn: 'arn:aws:iam::000000000000:role/r',
        },
      },
    };
    const resolver = {
      resolve: (v: unknown) => ((v as any)?.['Fn::Join'] ? (v as any)['Fn::Join'][1].join('') : v),
      nameOf: () => 'flow',
      arnOf: () => 'arn:aws:states:us-east-1:000000000000:stateMachine:flow',
    };
    const [machine] = stateMachinesFromTemplate(resources, resolver);
    expect(machine).toMatchObject({ name: 'flow', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:flow', type: 'STANDARD' });
    expect(JSON.parse(machine!.definition).States.A.Result).toBe('say "hi"');
  });
});
