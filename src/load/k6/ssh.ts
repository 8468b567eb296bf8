import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { ConfigError, TimeoutError } from '../../core/errors.js';
import { K6SshError, LoadRunError } from '../errors.js';
import {
  K6_SUMMARY_EXIT_CODES,
  K6_VERSION_TIMEOUT_MS,
  type K6Runner,
  type K6RunSettings,
  k6RunArgs,
  tail,
} from './local.js';

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  /** Private key file; without one, the SSH agent at $SSH_AUTH_SOCK. */
  privateKeyPath?: string;
  /**
   * The host key's fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`). When given, any other
   * key is refused; when not, the key is accepted and its fingerprint logged, so it can be pinned.
   */
  hostFingerprint?: string;
  /** Remote directory for the scripts and summaries (relative paths are under the remote home). */
  workspace: string;
}

/** Quotes a word for a POSIX shell. */
const sh = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** `SHA256:<base64 without padding>`, the fingerprint OpenSSH prints for a raw public key. */
export function sshFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * k6 on a remote host over SSH (ssh2): one connection for the whole sweep; per configuration it
 * uploads the script over SFTP into the workspace, runs `k6 run --summary-export` there, and
 * fetches the summary back over SFTP.
 */
export class SshK6Runner implements K6Runner {
  readonly where: string;
  private connection?: Promise<{ client: Client; sftp: SFTPWrapper }>;
  private seenFingerprint?: string;

  constructor(
    private readonly target: SshTarget,
    private readonly settings: K6RunSettings,
    private readonly onHostKey: (fingerprint: string) => void = () => {},
  ) {
    this.where = `k6 on ${target.user}@${target.host}:${target.port}`;
  }

  async run(scriptPath: string, timeoutMs: number): Promise<unknown> {
    const { client, sftp } = await this.connect();
    const script = `${this.target.workspace}/${basename(scriptPath)}`;
    const summary = script.replace(/\.js$/, '.summary.json');
    await new Promise<void>((resolve, reject) =>
      sftp.fastPut(scriptPath, script, (err) =>
        err ? reject(new K6SshError(`${this.where}: cannot upload ${script}: ${err.message}`)) : resolve(),
      ),
    );
    const args = k6RunArgs(script, summary, this.settings).map(sh).join(' ');
    const { code, output } = await this.exec(client, `${sh(this.settings.binary)} ${args}`, timeoutMs);
    if (!K6_SUMMARY_EXIT_CODES.has(code))
      throw new LoadRunError(`${this.where} exited with ${code}:\n${tail(output)}`);
    const text = await new Promise<string>((resolve, reject) =>
      sftp.readFile(summary, (err, data) =>
        err
          ? reject(new LoadRunError(`${this.where}: no summary ${summary}: ${err.message}`))
          : resolve(data.toString()),
      ),
    );
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new LoadRunError(`${this.where}: summary ${summary} is not JSON: ${(err as Error).message}`);
    }
  }

  /** Pre-flight: connects (key, fingerprint, workspace) and runs `k6 version` on the k6 host. */
  async open(): Promise<void> {
    const { client } = await this.connect();
    const version = await this.exec(client, `${sh(this.settings.binary)} version`, K6_VERSION_TIMEOUT_MS);
    if (version.code !== 0)
      throw new LoadRunError(
        `${this.where} does not run (k6 version exited with ${version.code}): ${tail(version.output)}`,
      );
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) (await connection.catch(() => undefined))?.client.end();
  }

  private connect(): Promise<{ client: Client; sftp: SFTPWrapper }> {
    this.connection ??= this.establish().catch((err: Error) => {
      this.connection = undefined;
      throw err;
    });
    return this.connection;
  }

  private async establish(): Promise<{ client: Client; sftp: SFTPWrapper }> {
    const { host, port, user, privateKeyPath, hostFingerprint } = this.target;
    const config: ConnectConfig = {
      host,
      port,
      username: user,
      readyTimeout: 20_000,
      hostVerifier: (key: Buffer) => {
        this.seenFingerprint = sshFingerprint(key);
        return hostFingerprint === undefined || hostFingerprint === this.seenFingerprint;
      },
    };
    if (privateKeyPath) config.privateKey = readFileSync(privateKeyPath);
    else if (process.env.SSH_AUTH_SOCK) config.agent = process.env.SSH_AUTH_SOCK;
    else {
      throw new ConfigError(this.where, [
        { field: 'k6_ssh_key', message: 'give a private key file, or run an SSH agent ($SSH_AUTH_SOCK)' },
      ]);
    }
    const client = new Client();
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (err) => {
        const wrongKey = hostFingerprint !== undefined && this.seenFingerprint !== hostFingerprint;
        reject(
          new K6SshError(
            wrongKey
              ? `${this.where}: host key ${this.seenFingerprint} is not the pinned ${hostFingerprint}`
              : `${this.where}: ${err.message}`,
          ),
        );
      });
      client.connect(config);
    });
    if (this.seenFingerprint) this.onHostKey(this.seenFingerprint);
    const made = await this.exec(client, `mkdir -p ${sh(this.target.workspace)}`, 20_000);
    if (made.code !== 0)
      throw new K6SshError(`${this.where}: cannot make ${this.target.workspace}: ${tail(made.output)}`);
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      client.sftp((err, s) =>
        err ? reject(new K6SshError(`${this.where}: no SFTP: ${err.message}`)) : resolve(s),
      ),
    );
    return { client, sftp };
  }

  private exec(
    client: Client,
    command: string,
    timeoutMs: number,
  ): Promise<{ code: number; output: string }> {
    return new Promise((resolve, reject) => {
      client.exec(command, (err, stream) => {
        if (err) return reject(new K6SshError(`${this.where}: ${err.message}`));
        let output = '';
        const timer = setTimeout(() => {
          stream.close();
          reject(new TimeoutError(`${this.where}: \`${command}\` timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        stream.on('data', (d: Buffer) => (output += d.toString()));
        stream.stderr.on('data', (d: Buffer) => (output += d.toString()));
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          resolve({ code: code ?? -1, output });
        });
      });
    });
  }
}
