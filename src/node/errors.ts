import { DfaasError } from '../core/errors.js';

/**
 * Errors of a DFaaS node and of a cluster of them: what fails between the node's processes and
 * the services it talks to. Bad configuration is a ConfigError; a start that takes too long is a
 * TimeoutError (both in core).
 */

/** A node of `dfaas cluster up` exited while the cluster was starting. */
export class NodeExitedError extends DfaasError {
  constructor(node: string, how: string, log: string) {
    super('DFAAS_ERR_NODE_EXITED', `${node} exited (${how}); see ${log}`, {
      hint: 'the node log says why (a port in use, a bad stack, a missing binary)',
    });
    this.name = 'NodeExitedError';
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
