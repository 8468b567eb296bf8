import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The last lines of each node's log in a cluster folder, for a failure message. */
export function nodeLogs(clusterDir: string): string {
  if (!existsSync(clusterDir)) return '';
  return readdirSync(clusterDir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => `\n--- ${f}\n${readFileSync(join(clusterDir, f), 'utf8').split('\n').slice(-15).join('\n')}`)
    .join('');
}

/**
 * Runs `work` (which starts nodes in `clusterDir`); when it fails, the error carries the nodes'
 * last log lines, since the folder is gone once the test ends.
 */
export async function withNodeLogs<T>(clusterDir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error) error.message += nodeLogs(clusterDir);
    throw error;
  }
}
