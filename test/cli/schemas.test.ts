import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_SCHEMAS, jsonSchemaOf } from '../../src/cli/schemas.js';

describe('JSON Schema export', () => {
  it('has a schema for every configuration', () => {
    for (const name of Object.keys(CONFIG_SCHEMAS)) expect(jsonSchemaOf(name)?.title).toBe(name);
    expect(jsonSchemaOf('nope')).toBeUndefined();
  });

  it('accepts the example stack and rejects an unknown key, as the zod schema does', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(jsonSchemaOf('stack') as object);
    const stack = parse(readFileSync('examples/stack.yml', 'utf8'));
    expect(validate(stack)).toBe(true);
    stack.functions.figlet.lables = {};
    expect(validate(stack)).toBe(false);
    expect(validate.errors?.[0]?.params).toEqual({ additionalProperty: 'lables' });
  });
});
