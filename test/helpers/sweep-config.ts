/**
 * YAML lines shared by the sweep tests, which check files, drivers and resume rather than cooldown
 * and overload (unit-tested): other test files may load the machine meanwhile, and that must not
 * skip configurations or mark them overloaded here. Node CPU counts the whole machine (up to 100
 * per core): another test's load can hold it 100 points above the idle baseline for a while, so
 * the wait is long enough for that to pass (it ends as soon as the node is idle).
 */
export const QUICK_COOLDOWN =
  'cooldown: { max_wait_seconds: 45, sleep_step_seconds: 0.5, idle_threshold_pct: 100 }';
export const NEVER_OVERLOADED =
  'overload: { cpu_overload_pct_of_capacity: 100, ram_overload_pct: 100, success_rate_node_min: 0, success_rate_function_min: 0, replicas_overload_threshold: 1000 }';
