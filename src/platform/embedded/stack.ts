import { dirname } from 'node:path';
import { type FunctionDeployment, FunctionDeploymentSchema } from '../../config/function-deployment.js';
import { loadConfigFile } from '../../config/read-file.js';
import { HANDLER_ANNOTATION, MODULE_LANGS, StackSchema, stackToDeployments } from '../../config/stack.js';
import { ConfigError, type ConfigIssue, issuesFromZod } from '../../core/errors.js';
import { InvalidDeploymentError } from '../errors.js';
import { functionSettings, type PlatformLimits } from './function-settings.js';

/**
 * Reads a stack file and checks that the embedded platform can run every function in it, before
 * anything starts: one bad function fails the whole file (exit 2) with each field named as the
 * user wrote it (functions.NAME.environment.exec_timeout, not envVars.exec_timeout).
 */
export function loadStackForEmbedded(file: string, limits?: PlatformLimits): FunctionDeployment[] {
  const stack = loadConfigFile(StackSchema, file);
  const deployments = stackToDeployments(stack, dirname(file));
  const issues: ConfigIssue[] = [];
  for (const d of deployments) {
    const lang = stack.functions[d.service]?.lang;
    const add = (field: string, message: string) => {
      // An image we cannot run, in a stack that names a language: the language is the problem.
      if (field === 'image' && lang && lang !== 'builtin' && !MODULE_LANGS.test(lang)) {
        issues.push({
          field: `functions.${d.service}.lang`,
          message: `the embedded platform runs lang builtin, node/typescript/javascript modules, or an fprocess: give "${lang}" an fprocess`,
        });
      } else {
        issues.push({ field: `functions.${d.service}.${stackField(field)}`, message });
      }
    };
    const parsed = FunctionDeploymentSchema.safeParse(d);
    if (!parsed.success) {
      for (const i of issuesFromZod(parsed.error)) add(i.field, i.message);
      continue;
    }
    try {
      functionSettings(d, limits);
    } catch (err) {
      if (!(err instanceof InvalidDeploymentError)) throw err;
      for (const i of err.issues) add(i.field, i.message);
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
