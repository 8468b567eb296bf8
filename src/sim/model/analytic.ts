import { PEAK_RATES } from '../instances/generator.js';
import { FUNCTION_GROUPS, type FunctionGroup, NODE_TYPES, type NodeType } from '../instances/instance.js';
import { FRAMEWORK_THRESHOLDS, type GroupRates, type NodeModel, type NodeUsage } from './node-model.js';

/**
 * The simulator's built-in node model, `framework-analytic`: a linear model in the group rates,
 * calibrated on the simulation framework's own numbers so that its instances behave as the paper's
 * do without its LightGBM models (pickled Python objects that a TypeScript process cannot load,
 * trained on a test bed we do not have). It is a stand-in: train dfaas's models on your node with
 * `dfaas sample` and `dfaas forecast train` and pass them with `--models` to simulate that node.
 *
 * Calibration, per node type t (thresholds: the framework's MAX_RESOURCES_USAGE):
 * - idle usage at the bottom of the framework's target scalers (cpu 57.7 %, ram 2.66 GB, power
 *   0.12 W for LIGHT, more for the bigger nodes);
 * - one group alone at the framework's overloaded peak rate (PEAK_RATES) takes CPU_AT_PEAK of the
 *   room between idle and the cpu threshold: a node with one loaded group copes at its peak, a node
 *   with two or three groups near their peaks is overloaded, as the framework's overloaded nodes are;
 * - power rises with the CPU, reaching 0.8 of the power threshold when the CPU reaches its own, so
 *   PowerSaving's 0.7 × Pmax binds a little before the CPU does;
 * - RAM rises with the rates too, a memory-hungry HIGH_USAGE request (eat-memory) 4× the others,
 *   reaching its threshold well after the CPU.
 */
export const CPU_AT_PEAK = 0.9;

const IDLE: Record<NodeType, Required<NodeUsage>> = {
  HEAVY: { cpu_usage_node: 57.7, ram_usage_node: 2.66e9, power_usage_node: 0.6e6 },
  MID: { cpu_usage_node: 57.7, ram_usage_node: 2.66e9, power_usage_node: 0.35e6 },
  LIGHT: { cpu_usage_node: 57.7, ram_usage_node: 2.66e9, power_usage_node: 0.122e6 },
};

const POWER_AT_CPU_THRESHOLD = 0.8;
const RAM_AT_CPU_THRESHOLD = 0.6;
const RAM_WEIGHT: Record<FunctionGroup, number> = { HIGH_USAGE: 4, LOW_USAGE: 1, MEDIUM_USAGE: 1 };

interface Coefficients {
  idle: Required<NodeUsage>;
  /** CPU % per request/s of each group. */
  cpu: GroupRates;
  /** Power µW per CPU %. */
  powerPerCpu: number;
  /** RAM bytes per request/s of each group. */
  ram: GroupRates;
}

function coefficients(type: NodeType): Coefficients {
  const idle = IDLE[type];
  const max = FRAMEWORK_THRESHOLDS[type] as Required<NodeUsage>;
  const cpuRoom = max.cpu_usage_node - idle.cpu_usage_node;
  const cpu = {} as GroupRates;
  const ram = {} as GroupRates;
  // RAM per request of a group: scaled so that, weighted, it fills RAM_AT_CPU_THRESHOLD of the RAM
  // room when that group alone fills the CPU room.
  const ramRoom = max.ram_usage_node - idle.ram_usage_node;
  for (const group of FUNCTION_GROUPS) {
    const peak = PEAK_RATES[type][group];
    cpu[group] = (CPU_AT_PEAK * cpuRoom) / peak;
    const rateFillingCpu = cpuRoom / cpu[group];
    ram[group] = ((RAM_AT_CPU_THRESHOLD * ramRoom) / rateFillingCpu) * (RAM_WEIGHT[group] / 4);
  }
  const powerPerCpu = (POWER_AT_CPU_THRESHOLD * max.power_usage_node - idle.power_usage_node) / cpuRoom;
  return { idle, cpu, powerPerCpu, ram };
}

const COEFFICIENTS = Object.fromEntries(NODE_TYPES.map((t) => [t, coefficients(t)])) as Record<
  NodeType,
  Coefficients
>;

export const frameworkAnalyticModel: NodeModel = {
  name: 'framework-analytic',
  predict(type, rates) {
    const c = COEFFICIENTS[type];
    // The sums of a loop over FUNCTION_GROUPS, unrolled (same order, same bits): millions of calls.
    let cpu = 0;
    let ram = 0;
    cpu += c.cpu.HIGH_USAGE * rates.HIGH_USAGE;
    ram += c.ram.HIGH_USAGE * rates.HIGH_USAGE;
    cpu += c.cpu.LOW_USAGE * rates.LOW_USAGE;
    ram += c.ram.LOW_USAGE * rates.LOW_USAGE;
    cpu += c.cpu.MEDIUM_USAGE * rates.MEDIUM_USAGE;
    ram += c.ram.MEDIUM_USAGE * rates.MEDIUM_USAGE;
    return {
      cpu_usage_node: c.idle.cpu_usage_node + cpu,
      ram_usage_node: c.idle.ram_usage_node + ram,
      power_usage_node: c.idle.power_usage_node + c.powerPerCpu * cpu,
    };
  },
};
