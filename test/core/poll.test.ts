import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/core/errors.js';
import { pollUntil, pollWithin, sleep } from '../../src/core/poll.js';

describe('pollUntil', () => {
  it('returns the first answer that is not undefined or false', async () => {
    let calls = 0;
    const value = await pollUntil(() => (++calls < 3 ? (calls === 1 ? undefined : false) : { calls }), {
      timeoutMs: 5_000,
      everyMs: 1,
      what: 'the third call',
    });
    expect(value).toEqual({ calls: 3 });
  });

  it('accepts 0 and empty strings as answers', async () => {
    expect(await pollUntil(() => 0, { timeoutMs: 100, what: 'zero' })).toBe(0);
    expect(await pollUntil(async () => '', { timeoutMs: 100, what: 'empty' })).toBe('');
  });

  it('retries a probe that throws, and keeps its last error as the cause of the timeout', async () => {
    let calls = 0;
    const err = await pollUntil(
      () => {
        calls++;
        throw new Error(`refused ${calls}`);
      },
      { timeoutMs: 30, everyMs: 5, what: 'the server on :1', explain: () => 'its last words' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    const timeout = err as TimeoutError;
    expect(timeout.message).toBe('timed out after 30 ms waiting for the server on :1:\nits last words');
    expect(timeout.code).toBe('DFAAS_ERR_TIMEOUT');
    expect(calls).toBeGreaterThan(1);
    expect((timeout.cause as Error).message).toBe(`refused ${calls}`);
  });

  it('asks at least once even with no time at all', async () => {
    let calls = 0;
    await expect(pollUntil(() => ++calls < 0, { timeoutMs: 0, what: 'nothing' })).rejects.toThrow(
      'timed out after 0 ms waiting for nothing',
    );
    expect(calls).toBe(1);
  });

  it('stops at once when the probe fails it', async () => {
    let calls = 0;
    const gone = new Error('the process exited');
    const started = performance.now();
    await expect(
      pollUntil(
        (fail) => {
          if (++calls === 2) fail(gone);
          return undefined;
        },
        { timeoutMs: 10_000, everyMs: 1, what: 'a process' },
      ),
    ).rejects.toBe(gone);
    expect(calls).toBe(2);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    const waiting = pollUntil(() => undefined, {
      timeoutMs: 10_000,
      everyMs: 5,
      what: 'never',
      signal: controller.signal,
    });
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
  });
});

describe('pollWithin', () => {
  it('returns the answer, or undefined once the time is up', async () => {
    let ready = false;
    setTimeout(() => {
      ready = true;
    }, 10);
    expect(await pollWithin(() => ready, { timeoutMs: 5_000, everyMs: 1, what: 'ready' })).toBe(true);
    expect(await pollWithin(() => false, { timeoutMs: 20, everyMs: 5, what: 'never' })).toBeUndefined();
  });

  it('still ends at once on fail()', async () => {
    await expect(
      pollWithin((fail) => fail(new Error('broken')), { timeoutMs: 1_000, what: 'x' }),
    ).rejects.toThrow('broken');
  });
});

describe('sleep', () => {
  it('resolves after about that long', async () => {
    const started = performance.now();
    await sleep(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });
});
