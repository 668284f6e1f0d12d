import { StatesError, STATES } from './states-errors';
import { evaluateIntrinsic, isIntrinsic, type IntrinsicEnv } from './asl-intrinsic-functions';
import { readPath, writePath } from './asl-paths';

/**
 * JSONPath-mode input and output processing: InputPath → Parameters → (the state's work) →
 * ResultSelector → ResultPath → OutputPath, and payload templates whose `.$` keys take a path or an
 * intrinsic function.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `.$` value: `$$...` reads the context, `$...` the input, `States.X(...)` is an intrinsic. */
export function dynamicValue(expression: string, env: IntrinsicEnv): unknown {
  if (isIntrinsic(expression)) return evaluateIntrinsic(expression, env);
  if (expression.startsWith('$')) return readPath(expression, env.input, env.context);
  throw new StatesError(STATES.Runtime, `'${expression}' is neither a JSONPath nor an intrinsic function`);
}

export function applyTemplate(template: unknown, env: IntrinsicEnv): unknown {
  if (Array.isArray(template)) return template.map((item) => applyTemplate(item, env));
  if (!isObject(template)) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') throw new StatesError(STATES.Runtime, `The value of '${key}' must be a string`);
      try {
        out[key.slice(0, -2)] = dynamicValue(value, env);
      } catch (error) {
        if (error instanceof StatesError && error.error === STATES.Runtime && !isIntrinsic(value)) {
          throw new StatesError(STATES.Runtime, `The JSONPath '${value}' specified for the field '${key}' could not be found in the input`);
        }
        throw error;
      }
    } else out[key] = applyTemplate(value, env);
  }
  return out;
}

/** `null` means "discard": {} for InputPath/OutputPath. */
export function selectPath(path: string | null | undefined, input: unknown, context: unknown): unknown {
  if (path === null) return {};
  if (path === undefined || path === '$') return input;
  return readPath(path, input, context);
}

/** ResultPath: null keeps the input, `$` (the default) replaces it. */
export function placeResult(resultPath: string | null | undefined, input: unknown, result: unknown): unknown {
  if (resultPath === null) return input;
  return writePath(resultPath ?? '$', input, result);
}
