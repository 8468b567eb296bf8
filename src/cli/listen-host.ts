/**
 * Listen addresses checked before anything starts: a host name that does not resolve, or an
 * address this machine does not have, is bad input naming the flag or field it came from, rather
 * than an internal error from a server's listen once the platform or the models are up.
 */
import { createServer } from 'node:net';
import { ConfigError, type ConfigIssue } from '../core/errors.js';

/** The resolver's answers for a name it cannot resolve (Node maps EAI_NONAME and EAI_NODATA to ENOTFOUND). */
const UNRESOLVED = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']);

/**
 * Throws one ConfigError of `source` naming each field (a flag or a configuration field) whose
 * host cannot be listened on: `{ '--host': '0.0.0.0' }`.
 */
export async function checkListenHosts(source: string, hosts: Record<string, string>): Promise<void> {
  const issues: ConfigIssue[] = [];
  for (const [field, host] of Object.entries(hosts)) {
    const message = await listenProblem(host);
    if (message) issues.push({ field, message });
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
}

/**
 * Why this machine cannot listen on `host`, found the way the servers will meet it: listening on
 * a free port of it (a resolver lookup and a local bind, nothing sent), then closing. Undefined
 * when it can, or when the failure is not the address's (left to the server's own listen).
 */
function listenProblem(host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(explain(host, err.code)));
    server.listen(0, host, () => server.close(() => resolve(undefined)));
  });
}

function explain(host: string, code: string | undefined): string | undefined {
  if (code && UNRESOLVED.has(code))
    return `cannot resolve "${host}" (${code}): give an address of this machine (127.0.0.1, 0.0.0.0 for all) or a name that resolves to one`;
  if (code === 'EADDRNOTAVAIL')
    return `"${host}" is not an address of this machine (EADDRNOTAVAIL): give one of its addresses (127.0.0.1, 0.0.0.0 for all)`;
  return undefined;
}
