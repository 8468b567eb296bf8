import { dirname } from 'node:path';
import { ConfigError, type ConfigIssue } from '../../config/errors.js';
import type { FunctionDeployment } from '../../config/function-deployment.js';
import { loadConfigFile } from '../../config/load.js';
import { HANDLER_ANNOTATION, StackSchema, stackToDeployments } from '../../config/stack.js';
import { InvalidDeploymentError } from '../errors.js';
import { functionSettings } from './function-settings.js';

/**
 * Reads a stack file and checks that the embedded platform can run every function in it, before
 * anything starts: one bad function fails the whole file (exit 2) with each field named as the
 * user wrote it (functions.NAME.environment.exec_timeout, not envVars.exec_timeout).
 */
export function loadStackForLocal(file: string): FunctionDeployment[] {
  const deployments = stackToDeployments(loadConfigFile(StackSchema, file), dirname(file));
  const issues: ConfigIssue[] = [];
  for (const d of deployments) {
    try {
      functionSettings(d);
    } catch (err) {
      if (!(err instanceof InvalidDeploymentError)) throw err;
      for (const i of err.issues)
        issues.push({ field: `functions.${d.service}.${stackField(i.field)}`, message: i.message });
    }
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  return deployments;
}

/** The stack key a FunctionDeployment field came from. */
function stackField(deploymentField: string): string {
  if (deploymentField.startsWith('envVars.'))
    return `environment.${deploymentField.slice('envVars.'.length)}`;
  if (deploymentField === `annotations.${HANDLER_ANNOTATION}`) return 'handler';
  if (deploymentField === 'envProcess') return 'fprocess';
  return deploymentField;
}
