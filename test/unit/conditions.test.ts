import { describe, expect, it } from 'vitest';
import type { Condition } from '../../schemas/conditions';
import { ConditionSchema, parseIsoInstant } from '../../schemas/conditions';
import { evaluateCondition, explainCondition } from '../../functions/rules/conditions';

const lead = {
  source: 'web-form',
  score: 62,
  region: 'North',
  interests: ['beverages', 'snacks'],
  amount: { amountMinor: 45_000, currency: 'EUR' },
  detail: { region: 'North', nullish: null },
  capturedAt: '2026-03-10T09:30:00Z',
  closeDate: '2026-01-31',
  converted: false,
  items: [{ sku: 'A-1' }],
};

/** Issues as "path: message" lines, the way a 400 response shows them. */
const issues = (input: unknown): string[] => {
  const parsed = ConditionSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

const fieldTest = (field: string, op: string, value?: unknown) => (value === undefined ? { field, op } : { field, op, value }) as Condition;

describe('field tests: one row per operator, true and false, missing fields and wrong types', () => {
  const rows: [string, Condition, boolean][] = [
    ['eq text', fieldTest('source', 'eq', 'web-form'), true],
    ['eq text is case-sensitive', fieldTest('source', 'eq', 'Web-Form'), false],
    ['eq number', fieldTest('score', 'eq', 62), true],
    ['eq does not coerce "62" to 62', fieldTest('score', 'eq', '62'), false],
    ['eq boolean', fieldTest('converted', 'eq', false), true],
    ['eq on a nested path', fieldTest('detail.region', 'eq', 'North'), true],
    ['eq on an array element', fieldTest('items.0.sku', 'eq', 'A-1'), true],
    ['eq on a missing field', fieldTest('nope', 'eq', 'x'), false],
    ['eq null on a missing field', fieldTest('nope', 'eq', null), true],
    ['eq null on a null field', fieldTest('detail.nullish', 'eq', null), true],
    ['eq null on a present field', fieldTest('source', 'eq', null), false],
    ['eq never matches an array', fieldTest('interests', 'eq', 'beverages'), false],
    ['eq through a non-object is missing', fieldTest('source.length', 'eq', 8), false],
    ['ne different value', fieldTest('region', 'ne', 'South'), true],
    ['ne same value', fieldTest('region', 'ne', 'North'), false],
    ['ne on a missing field (negation of eq)', fieldTest('nope', 'ne', 'North'), true],
    ['ne null on a present field', fieldTest('region', 'ne', null), true],
    ['ne null on a missing field', fieldTest('nope', 'ne', null), false],
    ['gt true', fieldTest('score', 'gt', 50), true],
    ['gt equal is false', fieldTest('score', 'gt', 62), false],
    ['gte equal is true', fieldTest('score', 'gte', 62), true],
    ['gte money below the threshold', fieldTest('amount.amountMinor', 'gte', 50_000), false],
    ['lt true', fieldTest('amount.amountMinor', 'lt', 50_000), true],
    ['lte equal', fieldTest('amount.amountMinor', 'lte', 45_000), true],
    ['gt on a missing field', fieldTest('nope', 'gt', 0), false],
    ['lt on a missing field', fieldTest('nope', 'lt', 0), false],
    ['gt on numeric text is false', fieldTest('source', 'gt', 0), false],
    ['gt on an array is false', fieldTest('interests', 'gt', 0), false],
    ['in one of the values', fieldTest('region', 'in', ['North', 'East']), true],
    ['in not one of the values', fieldTest('region', 'in', ['South', 'East']), false],
    ['in on a missing field', fieldTest('nope', 'in', ['North']), false],
    ['in with an array field is false', fieldTest('interests', 'in', ['beverages']), false],
    ['in does not coerce', fieldTest('score', 'in', ['62']), false],
    ['notIn not one of the values', fieldTest('region', 'notIn', ['South']), true],
    ['notIn one of the values', fieldTest('region', 'notIn', ['North', 'South']), false],
    ['notIn on a missing field', fieldTest('nope', 'notIn', ['North']), true],
    ['contains on an array field', fieldTest('interests', 'contains', 'beverages'), true],
    ['contains on an array field, absent', fieldTest('interests', 'contains', 'dairy'), false],
    ['contains on an array is not a substring test', fieldTest('interests', 'contains', 'bev'), false],
    ['contains on a text field is a substring test', fieldTest('source', 'contains', 'form'), true],
    ['contains on text is case-sensitive', fieldTest('source', 'contains', 'FORM'), false],
    ['contains on a number field', fieldTest('score', 'contains', 6), false],
    ['contains on a missing field', fieldTest('nope', 'contains', 'x'), false],
    ['startsWith true', fieldTest('source', 'startsWith', 'web'), true],
    ['startsWith false', fieldTest('source', 'startsWith', 'form'), false],
    ['startsWith on a number', fieldTest('score', 'startsWith', '6'), false],
    ['startsWith on a missing field', fieldTest('nope', 'startsWith', 'x'), false],
    ['exists on a present field', fieldTest('region', 'exists'), true],
    ['exists on a false field', fieldTest('converted', 'exists'), true],
    ['exists on a null field', fieldTest('detail.nullish', 'exists'), false],
    ['exists on a missing field', fieldTest('detail.nope', 'exists'), false],
    ['notExists on a missing field', fieldTest('nope.deeper', 'notExists'), true],
    ['notExists on a present field', fieldTest('region', 'notExists'), false],
  ];
  it.each(rows)('%s', (_name, condition, expected) => {
    expect(ConditionSchema.safeParse(condition).success).toBe(true);
    expect(evaluateCondition(condition, lead)).toBe(expected);
    expect(explainCondition(condition, lead).result).toBe(expected);
  });

  it.each([undefined, null, 42, 'text', true, [], [1, 2], () => 1, new Map([['region', 'North']])])(
    'never throw on a subject shaped like %s',
    (subject) => {
      for (const [, condition] of rows) {
        expect(typeof evaluateCondition(condition, subject)).toBe('boolean');
        expect(explainCondition(condition, subject).result).toBe(evaluateCondition(condition, subject));
      }
      expect(evaluateCondition(fieldTest('region', 'eq', 'North'), subject)).toBe(false);
      expect(evaluateCondition(fieldTest('region', 'notExists'), subject)).toBe(true);
    },
  );
});

describe('groups', () => {
  const enrol: Condition = {
    all: [
      fieldTest('source', 'eq', 'web-form'),
      { any: [fieldTest('score', 'gt', 50), fieldTest('interests', 'contains', 'beverages')] },
      { not: fieldTest('region', 'in', ['South']) },
    ],
  };

  it('all needs every member, any needs one, not negates', () => {
    expect(evaluateCondition(enrol, lead)).toBe(true);
    expect(evaluateCondition(enrol, { ...lead, source: 'import' })).toBe(false);
    expect(evaluateCondition(enrol, { ...lead, score: 10 })).toBe(true);
    expect(evaluateCondition(enrol, { ...lead, score: 10, interests: [] })).toBe(false);
    expect(evaluateCondition(enrol, { ...lead, region: 'South' })).toBe(false);
    expect(evaluateCondition({ not: { not: fieldTest('region', 'eq', 'North') } }, lead)).toBe(true);
  });

  it('nest to the depth limit', () => {
    const deep: Condition = { all: [{ any: [{ not: { all: [fieldTest('score', 'gte', 60)] } }, fieldTest('region', 'eq', 'East')] }] };
    expect(ConditionSchema.safeParse(deep).success).toBe(true);
    expect(evaluateCondition(deep, lead)).toBe(false);
    expect(evaluateCondition(deep, { ...lead, score: 1 })).toBe(true);
  });
});

describe('ISO dates', () => {
  const rows: [string, Condition, boolean][] = [
    ['date-times compare as instants', fieldTest('capturedAt', 'gt', '2026-03-10T09:29:59Z'), true],
    ['offsets are honoured', fieldTest('capturedAt', 'lt', '2026-03-10T10:00:00+01:00'), false],
    ['equal instants written differently', fieldTest('capturedAt', 'gte', '2026-03-10T10:30:00.000+01:00'), true],
    ['a date-only value is the whole UTC day (lte)', fieldTest('capturedAt', 'lte', '2026-03-10'), true],
    ['a date-only value is the whole UTC day (gte)', fieldTest('capturedAt', 'gte', '2026-03-10'), true],
    ['a date-only value is the whole UTC day (lt)', fieldTest('capturedAt', 'lt', '2026-03-10'), false],
    ['date against date', fieldTest('closeDate', 'lte', '2026-01-31'), true],
    ['date against a later date-time', fieldTest('closeDate', 'lt', '2026-02-01T00:00:00Z'), true],
    ['a date is not a number', fieldTest('closeDate', 'gt', 0), false],
    ['text that is not a date never compares', fieldTest('source', 'lt', '2030-01-01'), false],
    ['a date-time without a zone is not a date', fieldTest('local', 'lt', '2030-01-01'), false],
    ['a missing date', fieldTest('nope', 'gt', '2020-01-01'), false],
  ];
  it.each(rows)('%s', (_name, condition, expected) => {
    expect(ConditionSchema.safeParse(condition).success).toBe(true);
    expect(evaluateCondition(condition, { ...lead, local: '2026-01-01T10:00:00' })).toBe(expected);
  });

  it('parse exactly: real calendar dates, Z or an offset, years before 100 kept', () => {
    expect(parseIsoInstant('2026-02-28')).toEqual({ epochMs: Date.UTC(2026, 1, 28), dateOnly: true });
    expect(parseIsoInstant('2026-03-10T10:30+01:00')).toEqual({ epochMs: Date.UTC(2026, 2, 10, 9, 30), dateOnly: false });
    expect(parseIsoInstant('0050-01-01')?.epochMs).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    for (const bad of ['2026-02-29', '2026-13-01', '2026-01-01T24:00:00Z', '2026-01-01T10:00:00', '26-01-01', '2026-01-01 10:00Z', '']) {
      expect(parseIsoInstant(bad)).toBeUndefined();
    }
  });
});

describe('prototype pollution', () => {
  it.each(['__proto__', 'constructor', 'prototype', 'a.__proto__.polluted', 'constructor.prototype', '__defineGetter__'])(
    'the schema rejects the field %s and names it',
    (field) => {
      const found = issues({ all: [fieldTest('region', 'exists'), { field, op: 'eq', value: 'x' }] });
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/^all\.1\.field: field part "(__proto__|constructor|prototype|__defineGetter__)" is not allowed$/);
    },
  );

  it('such fields are inert at evaluation: nothing is read from the prototype chain', () => {
    const subject = JSON.parse('{"__proto__": {"admin": true}, "region": "North"}') as unknown;
    const unchecked = (field: string, op: string, value?: unknown) => fieldTest(field, op, value);
    expect(evaluateCondition(unchecked('__proto__.admin', 'eq', true), subject)).toBe(false);
    expect(evaluateCondition(unchecked('__proto__', 'exists'), {})).toBe(false);
    expect(evaluateCondition(unchecked('constructor', 'exists'), {})).toBe(false);
    expect(evaluateCondition(unchecked('constructor.name', 'eq', 'Object'), {})).toBe(false);
    expect(evaluateCondition(unchecked('toString', 'exists'), {})).toBe(false);
    expect(evaluateCondition(unchecked('hasOwnProperty', 'exists'), { region: 'North' })).toBe(false);
    expect(evaluateCondition(unchecked('interests.length', 'gt', 0), lead)).toBe(false);
    expect(evaluateCondition(unchecked('region', 'eq', 'North'), Object.create({ region: 'North' }))).toBe(false);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('getters are never run and throwing proxies read as missing', () => {
    let ran = false;
    const withGetter = Object.defineProperty({}, 'region', {
      enumerable: true,
      get: () => {
        ran = true;
        throw new Error('boom');
      },
    });
    expect(evaluateCondition(fieldTest('region', 'exists'), withGetter)).toBe(false);
    expect(ran).toBe(false);
    const hostile = new Proxy(
      {},
      {
        getOwnPropertyDescriptor: () => {
          throw new Error('trap');
        },
      },
    );
    expect(evaluateCondition(fieldTest('region', 'ne', 'North'), hostile)).toBe(true);
    expect(explainCondition(fieldTest('region', 'eq', 'North'), hostile)).toEqual({ result: false, reasons: ['region is missing, not "North"'] });
    const hostileArray = new Proxy(['beverages'], {
      getOwnPropertyDescriptor: () => {
        throw new Error('trap');
      },
    });
    expect(evaluateCondition(fieldTest('interests', 'contains', 'beverages'), { interests: hostileArray })).toBe(false);
  });
});

describe('the schema names the bad part', () => {
  it.each<[string, unknown, (string | RegExp)[]]>([
    ['a bad path', fieldTest('amount..amountMinor', 'gte', 1), ['field: field "amount..amountMinor" has an empty part; use a dotted path such as amount.amountMinor']],
    ['bad path characters', fieldTest('detail.re gion', 'eq', 'x'), ['field: field part "re gion" may only use letters, digits, _ and -']],
    ['a path deeper than 8', fieldTest('a.b.c.d.e.f.g.h.i', 'exists'), ['field: field may have at most 8 dot-separated parts']],
    ['an unknown operator', fieldTest('region', 'matches', '.*'), ['op: op must be one of eq, ne, gt, gte, lt, lte, in, notIn, contains, startsWith, exists, notExists']],
    ['gt with text', { any: [fieldTest('score', 'gt', 'fifty')] }, ['any.0.value: "gt" needs a number or an ISO date such as 2026-01-31 or date-time such as 2026-01-31T09:00:00Z']],
    ['gte with an impossible date', fieldTest('closeDate', 'gte', '2026-02-30'), ['value: "gte" needs a number or an ISO date such as 2026-01-31 or date-time such as 2026-01-31T09:00:00Z']],
    ['in with an empty list', fieldTest('region', 'in', []), ['value: "in" needs at least one value']],
    ['in with a scalar', fieldTest('region', 'in', 'North'), ['value: "in" needs a list of values, such as ["North", "East"]']],
    ['in with 101 values', fieldTest('region', 'in', Array.from({ length: 101 }, (_, i) => i)), ['value: "in" takes at most 100 values; this list has 101']],
    ['notIn with an object value', { not: fieldTest('region', 'notIn', ['a', { b: 1 }]) }, ['not.value.1: "notIn" values must be text, a number or true/false']],
    ['contains with a list', fieldTest('interests', 'contains', ['a']), ['value: "contains" value must be text, a number or true/false']],
    ['startsWith with a number', fieldTest('source', 'startsWith', 1), ['value: "startsWith" needs non-empty text']],
    ['exists with a value', fieldTest('region', 'exists', true), ['value: "exists" takes no value']],
    ['eq without a value', fieldTest('region', 'eq'), ['value: "eq" needs a value: text, a number, true/false or null']],
    ['eq with a list', fieldTest('region', 'eq', ['North']), ['value: "eq" value must be text, a number or true/false']],
    ['a test without op', { all: [{ field: 'region' }] }, ['all.0.op: a field test needs "op", one of eq, ne, gt, gte, lt, lte, in, notIn, contains, startsWith, exists, notExists']],
    ['an unknown key', { field: 'region', op: 'exists', extra: 1 }, [/^: Unrecognized key: "extra"$/]],
    ['two forms at once', { all: [fieldTest('region', 'exists')], field: 'x', op: 'exists' }, [/^: a condition is either .* not several at once \(found field test, all\)$/]],
    ['an empty group', { all: [fieldTest('region', 'exists'), { any: [] }] }, ['all.1.any: a group needs at least one condition']],
    ['a group of 51', { all: Array.from({ length: 51 }, () => fieldTest('region', 'exists')) }, ['all: a group may hold at most 50 conditions']],
    ['a string in a group', { any: ['region = North'] }, [/^any\.0: a condition is either a field test .*, such as \{"field": "region", "op": "eq", "value": "North"\}$/]],
  ])('%s', (_name, input, expected) => {
    const found = issues(input);
    expect(found).toHaveLength(expected.length);
    expected.forEach((message, index) => (typeof message === 'string' ? expect(found[index]).toBe(message) : expect(found[index]).toMatch(message)));
  });

  it('refuse nesting deeper than 5 levels, at the group that goes too deep', () => {
    const leaf = fieldTest('region', 'exists');
    expect(issues({ not: { not: { not: { not: leaf } } } })).toEqual([]);
    expect(issues({ all: [leaf, { any: [{ not: { all: [{ not: leaf }] } }] }] })).toEqual([
      'all.1.any.0.not.all.0.not: conditions may nest at most 5 levels deep; this group would be level 5 with its members at 6',
    ]);
  });

  it('refuse more than 200 field tests, saying how many', () => {
    const group = (size: number): Condition => ({ any: Array.from({ length: size }, (_, i) => fieldTest('score', 'eq', i)) });
    expect(issues({ all: [group(50), group(50), group(50), group(50)] })).toEqual([]);
    expect(issues({ all: [group(50), group(50), group(50), group(50), group(1)] })).toEqual([
      ': a condition may hold at most 200 field tests; this one has 201',
    ]);
  });

  it('survive absurd nesting without recursing into it', () => {
    let deep: unknown = fieldTest('region', 'exists');
    for (let i = 0; i < 100_000; i += 1) deep = { not: deep };
    expect(issues(deep)).toEqual(['not.not.not.not.not: conditions may nest at most 5 levels deep; this group would be level 5 with its members at 6']);
  });
});

describe('explain, in words a user reads', () => {
  it('a failing all-group lists the tests that failed', () => {
    const policyStep: Condition = {
      all: [
        fieldTest('amount.amountMinor', 'gte', 50_000),
        fieldTest('detail.region', 'eq', 'North'),
        fieldTest('source', 'in', ['trade-show', 'partner']),
        fieldTest('closeDate', 'lt', '2026-01-01'),
        fieldTest('owner', 'exists'),
      ],
    };
    expect(explainCondition(policyStep, lead)).toEqual({
      result: false,
      reasons: [
        'amount.amountMinor is 45000, not >= 50000',
        'source is "web-form", not one of "trade-show", "partner"',
        'closeDate is "2026-01-31", not before 2026-01-01',
        'owner is missing',
      ],
    });
  });

  it('a passing any-group gives the tests that passed', () => {
    const enrol: Condition = { any: [fieldTest('score', 'gt', 80), fieldTest('interests', 'contains', 'beverages'), fieldTest('capturedAt', 'gte', '2026-03-01')] };
    expect(explainCondition(enrol, lead)).toEqual({
      result: true,
      reasons: ['interests contains "beverages"', 'capturedAt is "2026-03-10T09:30:00Z", which is on or after 2026-03-01'],
    });
  });

  it('a failing any-group inside an all-group says none of them held', () => {
    const enrol: Condition = { all: [fieldTest('source', 'eq', 'web-form'), { any: [fieldTest('score', 'gt', 80), { all: [fieldTest('region', 'eq', 'East'), fieldTest('converted', 'eq', true)] }] }] };
    expect(explainCondition(enrol, lead)).toEqual({
      result: false,
      reasons: ['none of these held: score is 62, not > 80; (region is "North", not "East" and converted is false, not true)'],
    });
  });

  it('wrong types, exclusions and missing values are spelled out', () => {
    const explain = (condition: Condition, subject: unknown = lead) => explainCondition(condition, subject).reasons;
    expect(explain(fieldTest('source', 'gt', 10))).toEqual(['source is "web-form", not a number, so not > 10']);
    expect(explain(fieldTest('source', 'gte', '2026-01-01'))).toEqual(['source is "web-form", not a date, so not on or after 2026-01-01']);
    expect(explain(fieldTest('score', 'contains', 6))).toEqual(['score is 62, not text or a list, so it does not contain 6']);
    expect(explain({ not: fieldTest('region', 'in', ['North', 'South']) })).toEqual(['excluded because region is "North", one of "North", "South"']);
    expect(explain(fieldTest('region', 'notIn', ['North']))).toEqual(['region is "North", which is one of the excluded values "North"']);
    expect(explain(fieldTest('region', 'ne', 'North'))).toEqual(['region is "North", which is excluded']);
    expect(explain(fieldTest('nope', 'gte', 1))).toEqual(['nope is missing, not >= 1']);
    expect(explain(fieldTest('region', 'notExists'))).toEqual(['region is "North", but must be missing']);
    expect(explain(fieldTest('interests', 'contains', 'dairy'), { interests: Array.from({ length: 8 }, (_, i) => `i${i}`) })).toEqual([
      'interests is ["i0", "i1", "i2", "i3", "i4", and 3 more], which does not contain "dairy"',
    ]);
  });
});
