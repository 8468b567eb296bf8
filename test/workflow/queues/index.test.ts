import { describe, expect, it } from 'vitest';
import { ConfigError, ExitCode } from '../../../src/core/errors.js';
import { describeQueueUrl, openQueues, QUEUE_KINDS, queueKind } from '../../../src/workflow/queues/index.js';
import { configError } from '../../helpers/config-error.js';

describe('the queue registry', () => {
  it('names the kind of each accepted form', () => {
    expect(queueKind('embedded')).toBe('memory');
    expect(queueKind('memory')).toBe('memory');
    expect(queueKind('http://127.0.0.1:8091')).toBe('http');
    expect(queueKind('http://[::1]:8091')).toBe('http');
    expect(queueKind('redis://127.0.0.1:6379')).toBe('redis');
    expect(queueKind('redis://:secret@redis.lan:6379/2')).toBe('redis');
    expect(queueKind('rediss://redis.example:6380')).toBe('redis');
    expect(QUEUE_KINDS).toEqual(['memory', 'http', 'redis']);
  });

  it('refuses anything else with a bad-input error naming --queue and the accepted forms', () => {
    for (const url of ['', 'mem', 'http://10.0.0.2:8091', 'http://127.0.0.1', 'amqp://:pw@host', 'redis']) {
      const err = configError(() => queueKind(url));
      expect(err.exitCode).toBe(ExitCode.badInput);
      expect(err.issues[0]?.field).toBe('--queue');
      expect(err.message).toContain('redis://[:password@]host:port[/db]');
      expect(err.message).not.toContain(':pw@');
    }
  });

  it('opens memory and http queues', async () => {
    const memory = await openQueues('embedded');
    const http = await openQueues('http://127.0.0.1:8091');
    expect([memory.kind, http.kind]).toEqual(['memory', 'http']);
    await memory.close();
    await http.close();
    await expect(openQueues('nats://x')).rejects.toBeInstanceOf(ConfigError);
  });

  it('hides the password of a URL it describes', () => {
    expect(describeQueueUrl('redis://:secret@h:6379/1')).toBe('redis://:***@h:6379/1');
    expect(describeQueueUrl('redis://user:secret@h:6379')).toBe('redis://user:***@h:6379');
    expect(describeQueueUrl('redis://h:6379')).toBe('redis://h:6379');
    expect(describeQueueUrl('embedded')).toBe('embedded');
  });
});
