import { describe, expect, it } from 'vitest';
import { dfaas } from '../helpers/cli.js';

/** Bad input to `dfaas workflow …` is refused before anything starts: exit 2, the flag named. */
describe('dfaas workflow: bad input', () => {
  it.each([
    [['workflow', 'run', '--tasks', '2000'], '--tasks'],
    [['workflow', 'run', '--workers', '40'], '--workers'],
    [['workflow', 'run', '--queue', 'amqp://127.0.0.1:5672'], '--queue'],
    [['workflow', 'run', '--auth-file', 'auth'], '--auth-file'],
    [['workflow', 'run', '--gateway', 'http://10.0.0.5:8080'], '--queue'],
    [['workflow', 'run', '--gateway', 'gateway:8080'], '--gateway'],
    [['workflow', 'compare', '--agents', 'sarsa,nope'], '--agents'],
    [['workflow', 'compare', '--agents', 'static-40'], '--agents'],
    [['workflow', 'compare', '--reward', 'nope'], '--reward'],
    [['workflow', 'compare', '--reward-set', 'w_qos'], '--reward-set'],
    [['workflow', 'train', '--agent', 'hpa'], '--agent'],
    [['workflow', 'scale', '0'], 'DELTA'],
  ])('%j', async (args, flag) => {
    const res = await dfaas(args);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(flag);
  });

  it('names the unknown reward coefficient', async () => {
    const res = await dfaas(['--json', 'workflow', 'compare', '--reward-set', 'w_qoz=3']);
    expect(res.code).toBe(2);
    expect(JSON.parse(res.stderr.trim().split('\n').at(-1) as string)).toMatchObject({
      code: 'DFAAS_ERR_BAD_INPUT',
      issues: [{ field: 'w_qoz' }],
    });
  });
});
