import { DfaasError, ExitCode } from '../core/errors.js';

/**
 * Errors of the dataset formats: a file that is not in the format it is read as, or a label
 * that names no node type. Both are bad input (exit 2, HTTP 400): the file or the flag is wrong,
 * not the run.
 */

/** A dataset file (results.csv, profiles/NAME.csv, index.csv, …) is not in its format; the message names the file and line. */
export class DatasetFormatError extends DfaasError {
  constructor(message: string) {
    super('DFAAS_ERR_DATASET_FORMAT', message, { exitCode: ExitCode.badInput, status: 400 });
    this.name = 'DatasetFormatError';
  }
}

/** A node type label that is neither heavy, mid, light nor a capacity number. */
export class UnknownNodeTypeError extends DfaasError {
  constructor(readonly label: string) {
    super('DFAAS_ERR_NODE_TYPE', `node type "${label}": use heavy, mid, light or a capacity number`, {
      exitCode: ExitCode.badInput,
      status: 400,
    });
    this.name = 'UnknownNodeTypeError';
  }
}
