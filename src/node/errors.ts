import { DfaasError, ExitCode } from '../core/errors.js';

/**
 * Errors of a DFaaS node and of a cluster of them: what fails between the node's processes and
 * the services it talks to. Bad configuration is a ConfigError; a start that takes too long is a
 * TimeoutError (both in core).
 */

/**
 * A node of `dfaas cluster up` exited while the cluster was starting; `cause` is what the node
 * reported (read from its log), when it said anything.
 */
export class NodeExitedError extends DfaasError {
  constructor(node: string, how: string, log: string, cause?: string) {
    super('DFAAS_ERR_NODE_EXITED', `${node} exited (${how})${cause ? `: ${cause}` : ''}; see ${log}`, {
      hint: cause ? undefined : 'the node log says why (a port in use, a bad stack, a missing binary)',
    });
    this.name = 'NodeExitedError';
  }
}

/** `dfaas cluster up` into a folder whose cluster is still running: it would overwrite its files. */
export class ClusterRunningError extends DfaasError {
  constructor(dir: string, running: string[]) {
    super('DFAAS_ERR_CLUSTER_RUNNING', `a cluster is running in ${dir} (${running.join(', ')})`, {
      exitCode: ExitCode.badInput,
      status: 409,
      hint: `stop it with dfaas cluster down --dir ${dir}, or choose another --dir`,
    });
    this.name = 'ClusterRunningError';
  }
}

/** `dfaas cluster down` on a folder none of whose recorded processes runs. */
export class ClusterNotRunningError extends DfaasError {
  constructor(dir: string, recorded: string[]) {
    const gone =
      recorded.length > 0 ? `its processes have exited (${recorded.join(', ')})` : 'no process recorded';
    super('DFAAS_ERR_CLUSTER_NOT_RUNNING', `no cluster running in ${dir}: ${gone}`, {
      status: 404,
      hint: 'nothing was stopped: a cluster stops with its cluster up (Ctrl-C, or killed), its nodes with it',
    });
    this.name = 'ClusterNotRunningError';
  }
}

/** A node's agent answered /agent/status with an error. */
export class AgentStatusError extends DfaasError {
  constructor(url: string, statusCode: number) {
    super('DFAAS_ERR_AGENT_STATUS', `${url}: HTTP ${statusCode}`, { status: 502 });
    this.name = 'AgentStatusError';
  }
}

/** node-margin's forecaster service answered a prediction request with an error. */
export class ForecasterRequestError extends DfaasError {
  constructor(url: string, statusCode: number, body: string) {
    super('DFAAS_ERR_FORECASTER_REQUEST', `forecaster ${url}: HTTP ${statusCode}: ${body}`, {
      status: 502,
      hint: 'check the forecaster service (dfaas forecast serve) and that its models cover this node type',
    });
    this.name = 'ForecasterRequestError';
  }
}
