import { createHash } from 'node:crypto';
import { StatesError, STATES } from './states-errors';
import { readPath } from './asl-paths';

/**
 * ASL intrinsic functions (`States.Format('{}', $.x)` in a `.$` field). Parsing is separate from
 * evaluation so that CreateStateMachine can reject an unknown function or a malformed call.
 */
type Expr =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; path: string }
  | { kind: 'call'; name: string; args: Expr[] };

export interface IntrinsicEnv {
  input: unknown;
  context: unknown;
  /** a number in [0, 1); the interpreter makes it replayable */
  random(): number;
}

const fail = (cause: string) => new StatesError(STATES.IntrinsicFailure, cause);

export function isIntrinsic(text: string): boolean {
  return /^States\.[A-Za-z0-9]+\s*\(/.test(text);
}

export function parseIntrinsic(text: string): Expr {
  let i = 0;
  const skip = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const expect = (c: string) => {
    skip();
    if (text[i] !== c) throw fail(`Invalid intrinsic '${text}': expected '${c}' at ${i}`);
    i++;
  };
  function expr(): Expr {
    skip();
    const rest = text.slice(i);
    if (rest.startsWith("'")) {
      let value = '';
      i++;
      while (i < text.length && text[i] !== "'") {
        // the escapes keep \{ and \} for States.Format, which reads them itself
        if (text[i] === '\\' && "'\\".includes(text[i + 1] ?? '')) i++;
        value += text[i++];
      }
      if (text[i] !== "'") throw fail(`Invalid intrinsic '${text}': unterminated string`);
      i++;
      return { kind: 'literal', value };
    }
    const call = /^States\.([A-Za-z0-9]+)\s*\(/.exec(rest);
    if (call) {
      i += call[0].length;
      const name = call[1]!;
      if (!(name in FUNCTIONS)) throw fail(`Unknown intrinsic function States.${name}`);
      const args: Expr[] = [];
      skip();
      if (text[i] === ')') i++;
      else {
        for (;;) {
          args.push(expr());
          skip();
          if (text[i] === ',') i++;
          else {
            expect(')');
            break;
          }
        }
      }
      return { kind: 'call', name, args };
    }
    const path = /^\$[^,)\s]*/.exec(rest);
    if (path) {
      i += path[0].length;
      return { kind: 'path', path: path[0] };
    }
    const literal = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(rest);
    if (literal) {
      i += literal[0].length;
      return { kind: 'literal', value: JSON.parse(literal[0]) };
    }
    throw fail(`Invalid intrinsic '${text}': unexpected input at ${i}`);
  }
  const parsed = expr();
  skip();
  if (i !== text.length) throw fail(`Invalid intrinsic '${text}': unexpected input at ${i}`);
  return parsed;
}

export function evaluateIntrinsic(text: string, env: IntrinsicEnv): unknown {
  return evaluate(parseIntrinsic(text), env);
}

function evaluate(expr: Expr, env: IntrinsicEnv): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'path':
      return readPath(expr.path, env.input, env.context);
    case 'call':
      return FUNCTIONS[expr.name]!(expr.args.map((arg) => evaluate(arg, env)), env);
  }
}

const stable = (value: unknown) => JSON.stringify(value);

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw fail(`States.${name} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`);
  }
}

function typed<T>(name: string, value: unknown, check: (v: unknown) => v is T, what: string): T {
  if (!check(value)) throw fail(`States.${name}: expected ${what}, got ${stable(value)}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

const FUNCTIONS: Record<string, (args: unknown[], env: IntrinsicEnv) => unknown> = {
  Format(args) {
    if (args.length < 1) arity('Format', args, 1, Infinity);
    const template = typed('Format', args[0], isString, 'a template string');
    const values = args.slice(1);
    let next = 0;
    const out = template.replace(/\\([{}\\])|\{\}/g, (match, escaped: string | undefined) => {
      if (escaped) return escaped;
      if (next >= values.length) throw fail(`States.Format: more {} than arguments in '${template}'`);
      const value = values[next++];
      if (typeof value === 'object' && value !== null) throw fail(`States.Format: argument ${stable(value)} is not a plain value`);
      return String(value);
    });
    if (next !== values.length) throw fail(`States.Format: ${values.length} arguments for ${next} placeholders in '${template}'`);
    return out;
  },
  StringToJson(args) {
    arity('StringToJson', args, 1);
    const text = typed('StringToJson', args[0], isString, 'a string');
    try {
      return JSON.parse(text);
    } catch {
      throw fail(`States.StringToJson: '${text}' is not JSON`);
    }
  },
  JsonToString(args) {
    arity('JsonToString', args, 1);
    return JSON.stringify(args[0]);
  },
  Array: (args) => args,
  ArrayPartition(args) {
    arity('ArrayPartition', args, 2);
    const items = typed('ArrayPartition', args[0], isArray, 'an array');
    const size = typed('ArrayPartition', args[1], isInteger, 'an integer chunk size');
    if (size < 1) throw fail('States.ArrayPartition: the chunk size must be positive');
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  },
  ArrayContains(args) {
    arity('ArrayContains', args, 2);
    const items = typed('ArrayContains', args[0], isArray, 'an array');
    return items.some((item) => stable(item) === stable(args[1]));
  },
  ArrayRange(args) {
    arity('ArrayRange', args, 3);
    const [start, end, stepBy] = args.map((a) => typed('ArrayRange', a, isInteger, 'integers'));
    if (stepBy === 0) throw fail('States.ArrayRange: the step must not be 0');
    const out: number[] = [];
    for (let n = start!; stepBy! > 0 ? n <= end! : n >= end!; n += stepBy!) {
      out.push(n);
      if (out.length > 1000) throw fail('States.ArrayRange: more than 1000 items');
    }
    return out;
  },
  ArrayGetItem(args) {
    arity('ArrayGetItem', args, 2);
    const items = typed('ArrayGetItem', args[0], isArray, 'an array');
    const index = typed('ArrayGetItem', args[1], isInteger, 'an integer index');
    if (index < 0 || index >= items.length) throw fail(`States.ArrayGetItem: index ${index} is out of bounds`);
    return items[index];
  },
  ArrayLength(args) {
    arity('ArrayLength', args, 1);
    return typed('ArrayLength', args[0], isArray, 'an array').length;
  },
  ArrayUnique(args) {
    arity('ArrayUnique', args, 1);
    const seen = new Set<string>();
    return typed('ArrayUnique', args[0], isArray, 'an array').filter((item) => {
      const key = stable(item);
      return seen.has(key) ? false : (seen.add(key), true);
    });
  },
  Base64Encode(args) {
    arity('Base64Encode', args, 1);
    return Buffer.from(typed('Base64Encode', args[0], isString, 'a string')).toString('base64');
  },
  Base64Decode(args) {
    arity('Base64Decode', args, 1);
    return Buffer.from(typed('Base64Decode', args[0], isString, 'a string'), 'base64').toString('utf8');
  },
  Hash(args) {
    arity('Hash', args, 2);
    const data = args[0];
    if (data === null || data === undefined) throw fail('States.Hash: the data must not be null');
    const algorithm = HASHES[typed('Hash', args[1], isString, 'an algorithm name')];
    if (!algorithm) throw fail(`States.Hash: algorithm must be one of ${Object.keys(HASHES).join(', ')}`);
    return createHash(algorithm).update(typeof data === 'string' ? data : stable(data)).digest('hex');
  },
  JsonMerge(args) {
    arity('JsonMerge', args, 3);
    const left = typed('JsonMerge', args[0], isObject, 'an object');
    const right = typed('JsonMerge', args[1], isObject, 'an object');
    if (args[2] !== false) throw fail('States.JsonMerge: only a shallow merge (false) is supported, as on AWS');
    return { ...left, ...right };
  },
  MathRandom(args, env) {
    arity('MathRandom', args, 2, 3);
    const start = typed('MathRandom', args[0], isInteger, 'an integer start');
    const end = typed('MathRandom', args[1], isInteger, 'an integer end');
    if (end <= start) throw fail('States.MathRandom: the end must be greater than the start');
    return start + Math.floor(env.random() * (end - start));
  },
  MathAdd(args) {
    arity('MathAdd', args, 2);
    const [a, b] = args.map((a) => typed('MathAdd', a, (v): v is number => typeof v === 'number', 'numbers'));
    return a! + b!;
  },
  StringSplit(args) {
    arity('StringSplit', args, 2);
    const text = typed('StringSplit', args[0], isString, 'a string');
    const delimiters = [...typed('StringSplit', args[1], isString, 'a delimiter string')];
    const parts: string[] = [];
    let current = '';
    for (const c of text) {
      if (delimiters.includes(c)) {
        if (current) parts.push(current);
        current = '';
      } else current += c;
    }
    if (current) parts.push(current);
    return parts;
  },
  UUID(args, env) {
    arity('UUID', args, 0);
    const bytes = Array.from({ length: 16 }, () => Math.floor(env.random() * 256));
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Buffer.from(bytes).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};
