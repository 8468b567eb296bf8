import { createConnection } from 'node:net';
import type { PeerEndpoint } from '../../../offload/routing.js';
import { RuntimeApiError } from '../errors.js';

/**
 * A small client for HAProxy's CLI sockets: the Runtime API on the stats socket and the master
 * CLI (-S). Written here because there is no maintained Node client.
 *
 * It uses the non-interactive mode: one connection per line of ';'-separated commands. HAProxy
 * ends each command's output with an empty line (no output contains one) and closes the
 * connection once the line is done and we have half-closed ours. A line must fit in HAProxy's
 * buffer (tune.bufsize, 16 kB), so a long batch goes over several connections, one after the
 * other to keep the commands in order.
 */

const MAX_LINE = 8_000;

export class CliSocket {
  constructor(
    readonly path: string,
    private readonly timeoutMs = 5_000,
  ) {}

  /** Runs the commands in order; returns each one's output, without its closing empty line. */
  async run(commands: string[]): Promise<string[]> {
    const outputs: string[] = [];
    for (const batch of batches(commands)) {
      const raw = await this.exchange(batch.join(';'));
      const split = splitOutputs(raw);
      if (split.length < batch.length) {
        throw new RuntimeApiError(
          `haproxy CLI ${this.path}: ${split.length} answers to ${batch.length} commands: ${raw.slice(0, 500)}`,
        );
      }
      outputs.push(...split.slice(0, batch.length));
    }
    return outputs;
  }

  async one(command: string): Promise<string> {
    const [output] = await this.run([command]);
    return output ?? '';
  }

  /** Sends one raw line and returns everything HAProxy wrote until it closed the connection. */
  exchange(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.path);
      const chunks: Buffer[] = [];
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      socket.setTimeout(this.timeoutMs, () =>
        fail(
          new RuntimeApiError(
            `haproxy CLI ${this.path}: no answer within ${this.timeoutMs} ms to: ${line.slice(0, 200)}`,
          ),
        ),
      );
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', (error) =>
        fail(new RuntimeApiError(`haproxy CLI ${this.path}: ${error.message}`, { cause: error })),
      );
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.end(`${line}\n`);
    });
  }
}

function batches(commands: string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const command of commands) {
    // Internal invariant: the driver checks names (names.ts) before they reach a command.
    if (/[;\\\n]/.test(command))
      throw new Error(`haproxy CLI: command must not contain ; \\ or newline: ${command}`);
    if (current.length > 0 && length + command.length + 1 > MAX_LINE) {
      out.push(current);
      current = [];
      length = 0;
    }
    current.push(command);
    length += command.length + 1;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Splits a connection's output into the commands' outputs, each ended by an empty line. */
export function splitOutputs(raw: string): string[] {
  const outputs: string[] = [];
  let lines: string[] = [];
  for (const line of raw.split('\n').slice(0, -1)) {
    if (line === '') {
      outputs.push(lines.join('\n'));
      lines = [];
    } else {
      lines.push(line);
    }
  }
  return outputs;
}

/** `show info`: "Name: value" lines. */
export function parseInfo(output: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) info[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return info;
}

/** `show map <file>`: "<ref> <key> <value>" lines. */
export function parseMap(output: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of output.split('\n')) {
    const [ref, key, ...value] = line.split(' ');
    if (ref?.startsWith('0x') && key) map.set(key, value.join(' '));
  }
  return map;
}

export interface ServerLine {
  backend: string;
  server: string;
  addr: PeerEndpoint;
}

/** `show servers state`: a version line, a "# be_id be_name ..." header, one line per server. */
export function parseServersState(output: string): ServerLine[] {
  const lines = output.split('\n');
  const header =
    lines
      .find((l) => l.startsWith('# '))
      ?.slice(2)
      .split(' ') ?? [];
  const columns = ['be_name', 'srv_name', 'srv_addr', 'srv_port'].map((name) => header.indexOf(name));
  if (columns.some((i) => i < 0)) {
    throw new RuntimeApiError(`haproxy CLI: unexpected "show servers state" header: ${header.join(' ')}`);
  }
  const [be, srv, addr, port] = columns as [number, number, number, number];
  const servers: ServerLine[] = [];
  for (const line of lines) {
    if (line === '' || line.startsWith('#') || !line.includes(' ')) continue;
    const fields = line.split(' ');
    servers.push({
      backend: fields[be] ?? '',
      server: fields[srv] ?? '',
      addr: { host: fields[addr] ?? '', port: Number(fields[port]) },
    });
  }
  return servers;
}
