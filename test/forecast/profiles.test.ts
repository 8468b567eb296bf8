import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ProfileRow, readProfileCsv, writeProfileCsv } from '../../src/dataset/profiles.js';
import { ForecastInputError, ModelFileError } from '../../src/forecast/errors.js';
import {
  addToGroupList,
  assignGroup,
  fitGroups,
  GroupModelSchema,
  PROFILE_FEATURES,
  profileFeatures,
  silhouette,
} from '../../src/forecast/profiles.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A synthetic profile: CPU (percent of a core) and RAM (MB) at the highest rate, growing with the
 * rate; power and latency follow CPU; a function above one core overloads the node at the top rate.
 * `jitter` makes two functions of a kind differ a little.
 */
function synthetic(name: string, cpu: number, ramMb: number, jitter: number): ProfileRow[] {
  const rows: ProfileRow[] = [];
  for (const rate of [10, 20, 40]) {
    for (const iteration of [0, 1]) {
      const f = (rate / 40) * (1 + jitter + iteration * 0.01);
      const top = rate === 40 && cpu > 100;
      rows.push({
        name,
        rate,
        successRate: top ? 0.9 : 1,
        cpuPct: cpu * f,
        ramBytes: Math.round(ramMb * 1e6 * (0.5 + f / 2)),
        powerMicrowatts: 2 + (cpu * f) / 20,
        overloaded: top,
        meanLatencyMs: 5 + (cpu * f) / 10,
      });
    }
  }
  return rows;
}

const KINDS = {
  light: { cpu: 8, ramMb: 30 },
  medium: { cpu: 60, ramMb: 200 },
  heavy: { cpu: 170, ramMb: 800 },
} as const;
type Kind = keyof typeof KINDS;

const FUNCTIONS: [string, Kind, number][] = [
  ['echo', 'light', 0],
  ['env', 'light', 0.03],
  ['figlet', 'medium', 0],
  ['nmap', 'medium', 0.03],
  ['ocr', 'heavy', 0],
  ['sentiment', 'heavy', 0.03],
];

function profilesOf(functions: [string, Kind, number][]): Record<string, ProfileRow[]> {
  return Object.fromEntries(
    functions.map(([name, kind, jitter]) => [
      name,
      synthetic(name, KINDS[kind].cpu, KINDS[kind].ramMb, jitter),
    ]),
  );
}

/** The six profiles written as CSV files and read back, as a real fit would get them. */
function readSix(): Record<string, ProfileRow[]> {
  return Object.fromEntries(
    Object.entries(profilesOf(FUNCTIONS)).map(([name, rows]) => [
      name,
      readProfileCsv(writeProfileCsv(join(dir, `${name}.csv`), rows)),
    ]),
  );
}

describe('profileFeatures', () => {
  const row = (rate: number, cpuPct: number): ProfileRow => ({
    name: 'figlet',
    rate,
    successRate: 1,
    cpuPct,
    ramBytes: 100,
    powerMicrowatts: 1,
    overloaded: false,
    meanLatencyMs: 2,
  });

  it('averages iterations per rate, then takes mean, max and min over the rates', () => {
    const features = profileFeatures([row(10, 10), row(10, 20), row(20, 45)]);
    expect(features).toHaveLength(18);
    expect(PROFILE_FEATURES).toHaveLength(18);
    const at = (name: string) => features[PROFILE_FEATURES.indexOf(name)];
    // Per-rate means 15 and 45: the mean is 30, not 25 as over the three rows.
    expect([at('cpu_mean'), at('cpu_max'), at('cpu_min')]).toEqual([30, 45, 15]);
    expect([at('ram_mean'), at('ram_max'), at('ram_min')]).toEqual([100, 100, 100]);
    expect(PROFILE_FEATURES.slice(0, 3)).toEqual(['success_mean', 'success_max', 'success_min']);
  });

  it('reads nan success as 1 and any other nan as 0', () => {
    const nan = { ...row(10, Number.NaN), successRate: Number.NaN, powerMicrowatts: Number.NaN };
    const features = profileFeatures([nan, row(20, 30)]);
    const at = (name: string) => features[PROFILE_FEATURES.indexOf(name)];
    expect([at('success_mean'), at('cpu_mean'), at('cpu_min'), at('power_min')]).toEqual([1, 15, 0, 0]);
  });

  it('refuses an empty profile and a mix of functions', () => {
    expect(() => profileFeatures([])).toThrow('no rows');
    expect(() => profileFeatures([row(10, 1), { ...row(10, 1), name: 'env' }])).toThrow('figlet and env');
  });
});

describe('silhouette', () => {
  it('is near 1 for separated clusters, negative for mixed ones, 0 for singletons', () => {
    const points = [[0], [0.1], [10], [10.1]];
    expect(silhouette(points, [0, 0, 1, 1])).toBeGreaterThan(0.98);
    expect(silhouette(points, [0, 1, 0, 1])).toBeLessThan(0);
    // The singleton counts 0: (0 + 2 * s + ...) / 4 stays below the two-cluster value.
    expect(silhouette(points, [0, 0, 1, 2])).toBeLessThan(silhouette(points, [0, 0, 1, 1]));
    expect(silhouette(points, [0, 0, 0, 0])).toBe(0);
  });
});

describe('fitGroups', () => {
  it('puts the pairs together and names groups by resource use', () => {
    const { model, groups } = fitGroups(readSix(), { k: 3 });
    expect(JSON.stringify(groups)).toBe(
      '{"HIGH_USAGE":["ocr","sentiment"],"LOW_USAGE":["echo","env"],"MEDIUM_USAGE":["figlet","nmap"]}',
    );
    expect(model.version).toBe(1);
    expect(model.features).toEqual(PROFILE_FEATURES);
    expect(model.centroids).toHaveLength(3);
    expect([...model.groupNames].sort()).toEqual(['HIGH_USAGE', 'LOW_USAGE', 'MEDIUM_USAGE']);
    expect(model.components).toBeGreaterThanOrEqual(1);
    expect(model.centroids[0]).toHaveLength(model.components);
    expect(model.explainedVariance).toHaveLength(model.components);
    expect(model.explainedVariance.reduce((s, v) => s + v, 0)).toBeGreaterThanOrEqual(0.95 - 1e-9);
    expect(model.scaler.min[PROFILE_FEATURES.indexOf('cpu_max')]).toBeCloseTo(8.04, 6);
  });

  it('names groups the same whatever the function names and their order', () => {
    // Heavy functions now sort first and are listed first; light ones sort last.
    const renamed: [string, Kind, number][] = [
      ['a-heavy', 'heavy', 0.03],
      ['b-heavy', 'heavy', 0],
      ['m-medium', 'medium', 0.03],
      ['z-light', 'light', 0],
      ['n-medium', 'medium', 0],
      ['y-light', 'light', 0.03],
    ];
    const { groups } = fitGroups(profilesOf(renamed), { k: 3, seed: 7 });
    expect(groups).toEqual({
      HIGH_USAGE: ['a-heavy', 'b-heavy'],
      LOW_USAGE: ['y-light', 'z-light'],
      MEDIUM_USAGE: ['m-medium', 'n-medium'],
    });
    const reversed = Object.fromEntries(Object.entries(readSix()).reverse());
    expect(fitGroups(reversed).groups).toEqual(fitGroups(readSix()).groups);
  });

  it('names two and more than three groups', () => {
    const two = fitGroups(profilesOf(FUNCTIONS), { k: 2 }).groups;
    expect(Object.keys(two)).toEqual(['HIGH_USAGE', 'LOW_USAGE']);
    expect(two.HIGH_USAGE).toEqual(['ocr', 'sentiment']);
    // Four groups split the widest pair (the heavy one); the medium ones are numbered by use.
    expect(fitGroups(profilesOf(FUNCTIONS), { k: 4 }).groups).toEqual({
      HIGH_USAGE: ['sentiment'],
      LOW_USAGE: ['echo', 'env'],
      MEDIUM_USAGE_1: ['figlet', 'nmap'],
      MEDIUM_USAGE_2: ['ocr'],
    });
  });

  it('scales features, so bytes do not outweigh percents', () => {
    // RAM differs by 4 MB within each kind, CPU by 140% between kinds: unscaled, RAM would decide.
    const profiles = {
      light1: synthetic('light1', 10, 100, 0),
      light2: synthetic('light2', 10, 104, 0),
      heavy1: synthetic('heavy1', 150, 100, 0),
      heavy2: synthetic('heavy2', 150, 104, 0),
    };
    expect(fitGroups(profiles, { k: 2 }).groups).toEqual({
      HIGH_USAGE: ['heavy1', 'heavy2'],
      LOW_USAGE: ['light1', 'light2'],
    });
  });

  it("finds k = 3 with 'auto'", () => {
    const { model, groups } = fitGroups(readSix(), { k: 'auto' });
    expect(model.centroids).toHaveLength(3);
    expect(groups.MEDIUM_USAGE).toEqual(['figlet', 'nmap']);
  });

  it('refuses k above the number of functions', () => {
    expect(() => fitGroups(profilesOf(FUNCTIONS), { k: 7 })).toThrow('k = 7 is more than the 6 functions');
    expect(() => fitGroups(profilesOf(FUNCTIONS.slice(0, 2)))).toThrow('k = 3 is more than the 2 functions');
    expect(() => fitGroups(profilesOf(FUNCTIONS), { k: 1 })).toThrow('k must be an integer >= 2');
    expect(() => fitGroups(profilesOf(FUNCTIONS.slice(0, 2)), { k: 'auto' })).toThrow('at least 3');
  });

  it('lists every group, also an empty one', () => {
    const same = { a: synthetic('a', 10, 10, 0), b: synthetic('b', 10, 10, 0) };
    const { model, groups } = fitGroups(same, { k: 2 });
    // No variance at all: one component, both functions in one cluster, equal use: the tie goes to LOW_USAGE.
    expect(model.components).toBe(1);
    expect(groups).toEqual({ HIGH_USAGE: [], LOW_USAGE: ['a', 'b'] });
  });
});

describe('assignGroup', () => {
  it('places new functions by their profile, also after a JSON round trip', () => {
    const { model } = fitGroups(readSix());
    const heavy = synthetic('bigjob', 190, 900, 0.05);
    const light = synthetic('tiny', 5, 20, 0);
    const medium = synthetic('middle', 62, 205, 0.01);
    expect(assignGroup(model, heavy).group).toBe('HIGH_USAGE');
    expect(assignGroup(model, light).group).toBe('LOW_USAGE');
    expect(assignGroup(model, medium).group).toBe('MEDIUM_USAGE');

    const loaded = GroupModelSchema.parse(JSON.parse(JSON.stringify(model)));
    for (const rows of [heavy, light, medium]) {
      const fresh = assignGroup(model, rows);
      const again = assignGroup(loaded, rows);
      expect(again.group).toBe(fresh.group);
      expect(Object.keys(again.distances).sort()).toEqual(['HIGH_USAGE', 'LOW_USAGE', 'MEDIUM_USAGE']);
      for (const [g, d] of Object.entries(fresh.distances)) expect(again.distances[g]).toBeCloseTo(d, 9);
      expect(fresh.distances[fresh.group]).toBe(Math.min(...Object.values(fresh.distances)));
    }
  });

  it('refuses a model of another version', () => {
    const { model } = fitGroups(profilesOf(FUNCTIONS));
    expect(() => assignGroup({ ...model, version: 2 as 1 }, synthetic('x', 1, 1, 0))).toThrow(ModelFileError);
    expect(() => assignGroup({ ...model, version: 2 as 1 }, synthetic('x', 1, 1, 0))).toThrow('version 2');
    expect(GroupModelSchema.safeParse({ ...model, version: 2 }).success).toBe(false);
  });
});

describe('addToGroupList', () => {
  it('moves a function and keeps names and groups sorted', () => {
    const groups = { LOW_USAGE: ['echo', 'env'], HIGH_USAGE: ['ocr'], MEDIUM_USAGE: ['figlet'] };
    const moved = addToGroupList(groups, 'env', 'HIGH_USAGE');
    expect(JSON.stringify(moved)).toBe(
      '{"HIGH_USAGE":["env","ocr"],"LOW_USAGE":["echo"],"MEDIUM_USAGE":["figlet"]}',
    );
    expect(groups.LOW_USAGE).toEqual(['echo', 'env']);
    expect(addToGroupList(moved, 'bigjob', 'HIGH_USAGE').HIGH_USAGE).toEqual(['bigjob', 'env', 'ocr']);
    expect(() => addToGroupList(groups, 'x', 'HUGE_USAGE')).toThrow(ForecastInputError);
    expect(() => addToGroupList(groups, 'x', 'HUGE_USAGE')).toThrow('unknown group HUGE_USAGE');
  });
});
