/**
 * faas-benchmarker's tables (its benchmark/docker_mysql/DB.sql), with its names and columns, and
 * the columns dfaas adds after them (each said below). Migrations are versioned: a database made
 * by an older dfaas gets the later versions' changes, in order (./migrations.ts).
 */
import type { ColumnType, TableDefinition } from './contract.js';

/** The lab function's entry and the client's side of a call: Invocation's and Error's shared columns. */
const CALL_COLUMNS: Record<string, ColumnType> = {
  exp_id: 'text',
  root_identifier: 'text',
  identifier: 'text',
  function_name: 'text',
  uuid: 'text',
  parent: 'text',
  level: 'integer',
  sleep: 'real',
  instance_identifier: 'text',
  python_version: 'text',
  function_cores: 'integer',
  memory: 'integer',
  throughput: 'integer',
  throughput_time: 'real',
  throughput_process_time: 'real',
  throughput_running_time: 'real',
  random_seed: 'real',
  cpu: 'text',
  process_time: 'real',
  numb_threads: 'integer',
  thread_id: 'integer',
  execution_start: 'real',
  execution_end: 'real',
  invocation_start: 'real',
  invocation_end: 'real',
  execution_total: 'real',
  invocation_total: 'real',
  invocation_ntp_diff: 'real',
  // dfaas: execution_start − invocation_start; "not ready yet" answers sent again; SeBS's cold
  // marker; the platform's cold-start wait (ms, where it says).
  latency: 'real',
  retries: 'integer',
  is_cold: 'boolean',
  container_id: 'text',
  platform_cold_start_ms: 'real',
};

export const EXPERIMENT_STATUS: TableDefinition = {
  name: 'ExperimentStatus',
  description:
    'one row per experiment run: starting → provisioning → running → destroying → completed | failed',
  columns: {
    experiment_meta_identifier: 'text',
    name: 'text',
    function_provider: 'text',
    client_provider: 'text',
    status: 'text',
    start_time: 'integer',
    end_time: 'integer',
    // dfaas: where the provider is, who runs the experiment (to refuse a second run of it), why it failed
    provider_url: 'text',
    host: 'text',
    pid: 'integer',
    message: 'text',
  },
};

export const EXPERIMENT: TableDefinition = {
  name: 'Experiment',
  description: 'one row per experiment run: what ran, where, with what, and how long',
  unique: ['uuid'],
  columns: {
    experiment_meta_identifier: 'text',
    uuid: 'text',
    name: 'text',
    description: 'text',
    cl_provider: 'text',
    cl_client: 'text',
    python_version: 'text',
    cores: 'integer',
    memory: 'integer',
    invocation_count: 'integer',
    start_time: 'real',
    end_time: 'real',
    total_time: 'real',
    dev_mode: 'boolean',
    ntp_diff: 'real',
    // dfaas: everything to reproduce the run, and what it found
    function_provider: 'text',
    provider_url: 'text',
    params: 'json',
    seed: 'integer',
    time_scale: 'real',
    dfaas_version: 'text',
    node_version: 'text',
    host: 'json',
    error_count: 'integer',
    retries: 'integer',
    cold_agreement: 'json',
    summary: 'json',
  },
};

export const INVOCATION: TableDefinition = {
  name: 'Invocation',
  description: 'one row per lab function entry of a successful call (nested calls included)',
  unique: ['identifier'],
  columns: CALL_COLUMNS,
};

export const ERROR: TableDefinition = {
  name: 'Error',
  description: 'one row per failed call: its type, message and trace',
  columns: { ...CALL_COLUMNS, type: 'text', trace: 'text', message: 'text' },
};

export const MONOLITH: TableDefinition = {
  name: 'Monolith',
  description: "the monolith's extra fields, one row per monolith entry",
  columns: {
    exp_id: 'text',
    invo_id: 'text',
    seed: 'integer',
    function_argument: 'integer',
    function_called: 'text',
    process_time_matrix: 'real',
    running_time_matrix: 'real',
    monolith_result: 'text',
  },
};

export const COLDSTART: TableDefinition = {
  name: 'Coldstart',
  description: 'one row per probe of an idle-time search; final marks the idle time found',
  columns: {
    exp_id: 'text',
    invo_id: 'text',
    minutes: 'integer',
    seconds: 'real',
    granularity: 'real',
    threads: 'integer',
    benchmark: 'real',
    cold: 'boolean',
    final: 'boolean',
  },
};

export const FUNCTION_LIFETIME: TableDefinition = {
  name: 'Function_lifetime',
  description: 'how long a busy instance lived before it was replaced',
  columns: {
    exp_id: 'text',
    instance_identifier: 'text',
    orig_identifier: 'text',
    hours: 'integer',
    minutes: 'integer',
    seconds: 'real',
    sleep_time: 'real',
    reclaimed: 'boolean',
  },
};

export const CC_BENCH: TableDefinition = {
  name: 'Cc_bench',
  description: 'one row per burst of concurrent calls: field-wise means and the success rate',
  columns: {
    exp_id: 'text',
    function_name: 'text',
    numb_threads: 'integer',
    sleep: 'real',
    errors: 'integer',
    acc_process_time: 'real',
    acc_throughput: 'real',
    acc_throughput_time: 'real',
    acc_throughput_process_time: 'real',
    acc_throughput_running_time: 'real',
    cores: 'real',
    success_rate: 'real',
    acc_execution_start: 'real',
    acc_execution_end: 'real',
    acc_invocation_start: 'real',
    acc_invocation_end: 'real',
    acc_execution_total: 'real',
    acc_invocation_total: 'real',
    acc_latency: 'real',
  },
};

export const FUNCTION_LIFECYCLE: TableDefinition = {
  name: 'Function_lifecycle',
  description: 'which instances serve a shrinking load, one row per load step',
  columns: {
    exp_id: 'text',
    function_name: 'text',
    numb_invokations: 'integer',
    numb_invocations_orig: 'integer',
    throughput_time: 'real',
    errors: 'integer',
    unique_instances: 'integer',
    distribution: 'real',
    error_dist: 'real',
    diff_from_orig: 'integer',
    identifiers: 'text',
    repeats_from_orig: 'text',
  },
};

export const PYRAMID: TableDefinition = {
  name: 'Pyramid',
  description: 'one row per level of a load pyramid',
  columns: {
    exp_id: 'text',
    provider: 'text',
    total_runtime: 'real',
    total_invocations: 'integer',
    total_errors: 'integer',
    increment: 'integer',
    peak_invocations: 'integer',
    functions: 'text',
    increment_runtime: 'real',
    sleep_time: 'real',
    threads_per_invocation: 'integer',
    invocations_for_increment: 'integer',
  },
};

/** faas-benchmarker's tables, in the order they are created. */
export const REFERENCE_TABLES: readonly TableDefinition[] = [
  EXPERIMENT_STATUS,
  EXPERIMENT,
  INVOCATION,
  ERROR,
  MONOLITH,
  COLDSTART,
  FUNCTION_LIFETIME,
  CC_BENCH,
  FUNCTION_LIFECYCLE,
  PYRAMID,
];
