import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SamplerConfigSchema } from '../../src/config/sampler.js';
import { IDLE_BASELINE_DEFAULTS } from '../../src/sampler/baseline.js';
import { durationText } from '../../src/sampler/manifest.js';

/** docs/sampler.md's table of defaults says what the schema does. */
describe("docs/sampler.md's defaults", () => {
  it('match the defaults of the parsed configuration', () => {
    const doc = readFileSync('docs/sampler.md', 'utf8');
    const table = new Map(
      [...doc.matchAll(/^\| `([^`]+)` \| `([^`]+)`/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    const parsed = SamplerConfigSchema.parse({ functions: [{ name: 'a' }] });
    const documented = (key: string) => parse(table.get(key) ?? 'missing');
    expect(documented('functions[].method')).toBe(parsed.functions[0]?.method);
    for (const key of [
      'rates',
      'combinations',
      'iterations',
      'max_configurations',
      'cooldown',
      'overload',
    ] as const)
      expect(documented(key), key).toEqual(parsed[key]);
    expect(table.get('duration')).toBe(durationText(parsed.duration));
    expect(documented('idle_baseline')).toEqual(IDLE_BASELINE_DEFAULTS);
    const k6 = /^\| `k6_binary`, `k6_port`, `k6_workspace_root` \| `([^`]+)`, `([^`]+)`, `([^`]+)`/m.exec(
      doc,
    );
    expect(k6?.slice(1)).toEqual([parsed.k6_binary, String(parsed.k6_port), parsed.k6_workspace_root]);
  });
});
