import { describe, expect, it } from 'vitest';
import { isRunning, processRef } from '../../src/node/processes.js';

describe('a recorded process', () => {
  it('is running while that very process runs', () => {
    const me = processRef(process.pid);
    expect(me?.pid).toBe(process.pid);
    expect(isRunning(me as NonNullable<typeof me>)).toBe(true);
  });

  it('is not running when its pid now belongs to a process started at another time (a reused pid)', () => {
    const me = processRef(process.pid) as NonNullable<ReturnType<typeof processRef>>;
    expect(isRunning({ pid: me.pid, startTime: me.startTime - 1 })).toBe(false);
  });

  it('is not running, and cannot be recorded, when no process has its pid', () => {
    const noSuchPid = 2 ** 22 + 1; // above Linux's pid_max
    expect(processRef(noSuchPid)).toBeUndefined();
    expect(processRef(undefined)).toBeUndefined();
    expect(isRunning({ pid: noSuchPid, startTime: 0 })).toBe(false);
  });
});
