import { describe, expect, it } from 'vitest';
import { parseCpuCores, parseDurationMs, parseMemoryBytes } from '../../src/config/units.js';

describe('units', () => {
  it('reads Go durations and bare seconds', () => {
    expect(parseDurationMs('15m')).toBe(900_000);
    expect(parseDurationMs('1m30s')).toBe(90_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('10')).toBe(10_000);
    expect(parseDurationMs('10x')).toBeUndefined();
    expect(parseDurationMs('')).toBeUndefined();
    expect(parseDurationMs('s')).toBeUndefined();
  });

  it('reads Kubernetes memory quantities', () => {
    expect(parseMemoryBytes('128Mi')).toBe(128 * 1024 * 1024);
    expect(parseMemoryBytes('128M')).toBe(128_000_000);
    expect(parseMemoryBytes('1Gi')).toBe(2 ** 30);
    expect(parseMemoryBytes('4096')).toBe(4096);
    expect(parseMemoryBytes('128m')).toBeUndefined();
    expect(parseMemoryBytes('lots')).toBeUndefined();
  });

  it('reads CPU quantities in cores', () => {
    expect(parseCpuCores('500m')).toBe(0.5);
    expect(parseCpuCores('2')).toBe(2);
    expect(parseCpuCores('0.25')).toBe(0.25);
    expect(parseCpuCores('half')).toBeUndefined();
  });
});
