/**
 * Parameter types of experiments, so that `--param k=v` (text) and a JSON or YAML value (numbers,
 * lists) both parse: seconds as a number or a Go duration ("65m", "1h30m"), counts, lists of
 * numbers ("8,16,32"), function names. Every experiment's parameters are snake_case, as the
 * reference names them.
 */
import { z } from 'zod';
import { parseDurationMs } from '../../config/units.js';

const fromText = (v: unknown) => (typeof v === 'string' ? v.trim() : v);

/** A duration in seconds ≥ 0: a number, or text as `30`, `65m`, `1h30m`. */
export function seconds(defaultSeconds: number) {
  return z
    .preprocess((v) => {
      const t = fromText(v);
      if (typeof t !== 'string') return t;
      const ms = parseDurationMs(t);
      return ms === undefined ? t : ms / 1000;
    }, z.number({ error: 'seconds, e.g. 300 or 5m' }).nonnegative())
    .default(defaultSeconds);
}

/** A whole number ≥ `min` (1 by default). */
export function count(defaultCount: number, min = 1) {
  return z.coerce.number().int().min(min).default(defaultCount);
}

/** A number ≥ 0 (a fraction, a size). */
export function amount(defaultAmount: number) {
  return z.coerce.number().nonnegative().default(defaultAmount);
}

/** A list of numbers ≥ 0: an array, or text as `8,16,32`. */
export function numbers(defaults: readonly number[]) {
  return z
    .preprocess((v) => {
      const t = fromText(v);
      return typeof t === 'string' ? t.split(',').map((s) => Number(s.trim())) : t;
    }, z.array(z.number().nonnegative()).min(1))
    .default([...defaults]);
}

/** A function's name on the provider. */
export function functionName(defaultName: string) {
  return z.string().min(1).default(defaultName);
}

/** A list of function names: an array, or text as `function1,function2`. */
export function functionNames(defaults: readonly string[]) {
  return z
    .preprocess(
      (v) => {
        const t = fromText(v);
        return typeof t === 'string' ? t.split(',').map((s) => s.trim()) : t;
      },
      z.array(z.string().min(1)).min(1),
    )
    .default([...defaults]);
}

/** An experiment's parameters from their types above (what `dfaas bench create`'s template uses). */
export function paramsOf<S extends z.ZodRawShape>(shape: S): z.ZodObject<S> {
  return z.object(shape);
}
