import { describe, expect, it } from 'vitest';
import { SCHEMA_NAMES } from '../../src/cli/schema.js';
import { CONFIG_SCHEMAS } from '../../src/cli/schemas.js';
import { dfaas } from '../helpers/cli.js';

describe('dfaas schema', () => {
  it('lists the same names as the schemas it generates from (the list is static for a light --help)', () => {
    expect([...SCHEMA_NAMES]).toEqual(Object.keys(CONFIG_SCHEMAS));
  });

  it('prints a JSON Schema, lists the names (as JSON with --json), and exits 2 for an unknown one', async () => {
    const schema = await dfaas(['schema', 'stack']);
    expect(schema.code).toBe(0);
    expect(JSON.parse(schema.stdout).properties.functions).toBeDefined();
    const list = await dfaas(['--json', 'schema']);
    expect(JSON.parse(list.stdout).map((s: { name: string }) => s.name)).toEqual([...SCHEMA_NAMES]);
    expect((await dfaas(['schema'])).stdout).toMatch(/^stack\tOpenFaaS stack\.yml/);
    const unknown = await dfaas(['schema', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/name: unknown configuration "nope"/);
  });
});
