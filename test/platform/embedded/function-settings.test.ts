import { describe, expect, it } from 'vitest';
import type { FunctionDeployment } from '../../../src/config/function-deployment.js';
import { functionSettings } from '../../../src/platform/embedded/function-settings.js';
import { InvalidDeploymentError } from '../../../src/platform/errors.js';

const base: FunctionDeployment = { service: 'fn', image: 'dfaas/echo:latest' };

describe('function settings', () => {
  it('applies the OpenFaaS defaults', () => {
    const s = functionSettings(base);
    expect(s.program).toEqual({ kind: 'builtin', name: 'echo' });
    expect(s.scaling).toMatchObject({ min: 1, max: 20, factor: 20, zero: false, zeroDurationMs: 900_000 });
    expect(s.scaling.target).toBeUndefined();
    expect(s.execTimeoutMs).toBe(10_000);
    expect(s.maxInflight).toBe(0);
  });

  it('reads scaling labels, timeouts and limits', () => {
    const s = functionSettings({
      ...base,
      labels: {
        'com.openfaas.scale.min': '2',
        'com.openfaas.scale.max': '40',
        'com.openfaas.scale.zero': 'true',
        'com.openfaas.scale.zero-duration': '30s',
        'com.openfaas.scale.type': 'capacity',
      },
      envVars: { exec_timeout: '2s', max_inflight: '5' },
      limits: { memory: '64Mi', cpu: '500m' },
    });
    expect(s.scaling).toMatchObject({ min: 2, max: 40, zero: true, zeroDurationMs: 30_000 });
    expect(s.scaling.target).toEqual({ type: 'capacity', target: 50, proportion: 0.9 });
    expect(s.execTimeoutMs).toBe(2000);
    expect(s.maxInflight).toBe(5);
    expect(s.memoryLimitBytes).toBe(64 * 2 ** 20);
    expect(s.cpuLimitCores).toBe(0.5);
  });

  it('chooses the program: envProcess, then dfaas.handler, then a dfaas/ image', () => {
    expect(functionSettings({ ...base, envProcess: 'cat' }).program).toEqual({
      kind: 'serializing',
      command: 'cat',
    });
    expect(functionSettings({ ...base, envProcess: 'srv', envVars: { mode: 'http' } }).program).toEqual({
      kind: 'http',
      command: 'srv',
    });
    expect(functionSettings({ ...base, annotations: { 'dfaas.handler': 'builtin:figlet' } }).program).toEqual(
      {
        kind: 'builtin',
        name: 'figlet',
      },
    );
  });

  it('collects every bad field into one error', () => {
    let err: unknown;
    try {
      functionSettings({
        ...base,
        image: 'functions/nodeinfo:latest',
        labels: { 'com.openfaas.scale.type': 'memory', 'com.openfaas.scale.max': 'many' },
        envVars: { mode: 'streaming' },
        envProcess: 'x',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidDeploymentError);
    expect((err as InvalidDeploymentError).issues.map((i) => i.field)).toEqual([
      'labels.com.openfaas.scale.max',
      'labels.com.openfaas.scale.type',
      'envVars.mode',
    ]);
  });

  it('refuses an image it cannot run, saying how to make it runnable', () => {
    expect(() => functionSettings({ ...base, image: 'functions/nodeinfo:latest' })).toThrow(/set envProcess/);
  });

  it('refuses more replicas than the platform allows one function, naming the label', () => {
    const d = (labels: Record<string, string>) => ({ service: 'f', image: 'dfaas/echo', labels });
    expect(functionSettings(d({ 'com.openfaas.scale.max': '50' })).scaling.max).toBe(50);
    const over = () =>
      functionSettings(d({ 'com.openfaas.scale.min': '30', 'com.openfaas.scale.max': '40' }), {
        maxReplicas: 10,
      });
    expect(over).toThrow(InvalidDeploymentError);
    try {
      over();
    } catch (err) {
      expect((err as InvalidDeploymentError).issues.map((i) => i.field)).toEqual([
        'labels.com.openfaas.scale.min',
        'labels.com.openfaas.scale.max',
      ]);
      expect((err as InvalidDeploymentError).issues[0]?.message).toMatch(
        /at most 10.*--max-replicas.*got 30/,
      );
    }
    // Without a max label, the default max (20) is lowered to what the platform allows.
    expect(functionSettings(d({}), { maxReplicas: 5 }).scaling.max).toBe(5);
    expect(() => functionSettings(d({ 'com.openfaas.scale.max': '51' }))).toThrow(/at most 50/);
  });
});
