import { DfaasError, ExitCode } from '../core/errors.js';

/**
 * The forecast capability's errors, each bad input (exit 2, HTTP 400): what a caller gave cannot
 * be forecast, trained on or loaded. The CLI and the forecaster service map them by exit code and
 * status, never by message.
 */

const BAD_INPUT = { exitCode: ExitCode.badInput, status: 400 } as const;

/** A request body, model type, target or option the forecaster or a fit cannot take. */
export class ForecastInputError extends DfaasError {
  constructor(message: string) {
    super('DFAAS_ERR_FORECAST_INPUT', message, BAD_INPUT);
    this.name = 'ForecastInputError';
  }
}

/** Datasets or profiles that cannot be learnt from: no usable row, too few configurations, a function in no group. */
export class TrainingDataError extends DfaasError {
  constructor(message: string) {
    super('DFAAS_ERR_TRAINING_DATA', message, BAD_INPUT);
    this.name = 'TrainingDataError';
  }
}

/** A models folder or a group model that is not what `dfaas forecast train` or `profile` wrote. */
export class ModelFileError extends DfaasError {
  constructor(message: string) {
    super('DFAAS_ERR_MODEL_FILE', message, BAD_INPUT);
    this.name = 'ModelFileError';
  }
}
