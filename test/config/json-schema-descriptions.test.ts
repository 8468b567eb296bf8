import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CONFIG_SCHEMAS, jsonSchemaOf } from '../../src/cli/schemas.js';
import { toJsonSchema } from '../../src/config/json-schema.js';

type JsonSchema = Record<string, unknown>;

const isSchema = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every property at every depth of a JSON Schema: objects' properties, arrays' items, the branches
 * of anyOf/oneOf/allOf, records' additionalProperties, and what a `$ref` points to (in `$defs`, or
 * `#` for the root). Returns each property's path and whether it has a non-empty description
 * (its own, or, for a bare `$ref`, its target's).
 */
function describedProperties(root: JsonSchema): { path: string; described: boolean }[] {
  const found: { path: string; described: boolean }[] = [];
  const walked = new Set<JsonSchema>();
  const resolve = (ref: string): JsonSchema => {
    if (ref === '#') return root;
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    const target =
      match && (root[match[1] as string] as Record<string, unknown> | undefined)?.[match[2] as string];
    if (!isSchema(target)) throw new Error(`unresolved $ref ${ref}`);
    return target;
  };
  const description = (s: JsonSchema): string | undefined => {
    if (typeof s.description === 'string') return s.description;
    return typeof s.$ref === 'string' ? description(resolve(s.$ref)) : undefined;
  };
  const walk = (s: JsonSchema, path: string): void => {
    if (walked.has(s)) return;
    walked.add(s);
    if (typeof s.$ref === 'string') walk(resolve(s.$ref), path);
    if (isSchema(s.properties))
      for (const [key, sub] of Object.entries(s.properties)) {
        if (!isSchema(sub)) continue;
        found.push({ path: `${path}.${key}`, described: (description(sub) ?? '').trim() !== '' });
        walk(sub, `${path}.${key}`);
      }
    if (isSchema(s.items)) walk(s.items, `${path}[]`);
    if (Array.isArray(s.prefixItems))
      for (const [i, b] of s.prefixItems.entries()) if (isSchema(b)) walk(b, `${path}[${i}]`);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
      if (Array.isArray(s[key]))
        for (const [i, b] of (s[key] as unknown[]).entries())
          if (isSchema(b)) walk(b, `${path}(${key} ${i})`);
    if (isSchema(s.additionalProperties)) walk(s.additionalProperties, `${path}.*`);
  };
  walk(root, '');
  return found;
}

describe('JSON Schema descriptions', () => {
  it('gives every property of every configuration a description (its meaning, unit and default)', () => {
    const missing: string[] = [];
    for (const name of Object.keys(CONFIG_SCHEMAS)) {
      const schema = jsonSchemaOf(name) as JsonSchema;
      for (const p of describedProperties(schema)) if (!p.described) missing.push(`${name}${p.path}`);
    }
    expect(missing).toEqual([]);
  });

  it('walks nested objects, arrays, unions and records, so the first test cannot pass by seeing nothing', () => {
    const paths = (name: string) => describedProperties(jsonSchemaOf(name) as JsonSchema).map((p) => p.path);
    expect(paths('node')).toContain('.agent.thresholds.cpu_usage_node');
    expect(paths('stack')).toContain('.functions.*.limits.memory');
    expect(paths('sampler')).toEqual(
      expect.arrayContaining(['.functions[].max_rate', '.rates.strategy(oneOf 1).base']),
    );
    expect(paths('load-scenarios')).toContain('.scenarios.*(oneOf 1).stages[].target');
  });

  it('reports a property without a description, at any depth and through $ref', () => {
    const described = z.object({ rate: z.number().describe('requests/s') });
    const schema = toJsonSchema(
      'test',
      'a test',
      z.object({
        a: z.string().describe('described'),
        b: z.array(z.object({ c: z.number() })),
        d: z.record(z.string(), z.object({ e: z.boolean() })).describe('a record'),
        f: z.union([z.object({ g: z.string() }), described]).describe('a union'),
      }),
    );
    const missing = describedProperties(schema)
      .filter((p) => !p.described)
      .map((p) => p.path);
    expect(missing.sort()).toEqual(['.b', '.b[].c', '.d.*.e', '.f(anyOf 0).g']);
    const withRef = {
      $defs: { R: { type: 'object', properties: { h: { type: 'string' } } } },
      properties: { r: { $ref: '#/$defs/R', description: 'r' } },
    };
    expect(describedProperties(withRef)).toEqual([
      { path: '.r', described: true },
      { path: '.r.h', described: false },
    ]);
  });
});
