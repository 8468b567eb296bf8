/**
 * The file `dfaas bench create NAME` writes: a working experiment using the Benchmarker API, to
 * edit. It imports dfaas by its package name (resolved in a project that installed dfaas, and in
 * dfaas's own clone), and declares its result table in code: the store creates it.
 */

/** `my-exp` → `My_exp`: a table name in the reference's style. */
export function tableName(experiment: string): string {
  const snake = experiment.replaceAll('-', '_');
  return `${snake.charAt(0).toUpperCase()}${snake.slice(1)}`;
}

export function experimentTemplate(name: string): string {
  const table = tableName(name);
  return `/**
 * ${name}: cold against warm latency of one function, round after round.
 *
 * Written by \`dfaas bench create ${name}\`; run it with
 *   dfaas bench run ${name}.ts --provider embedded --time-scale 60
 * Durations are in the reference's seconds: ctx.time.wait divides them by --time-scale, and
 * ctx.work scales the work a function does. Every call goes through ctx.bench (stored as
 * Invocation or Error rows); rows of your own go to the table declared below.
 */
import { amount, count, defineExperiment, functionName, paramsOf, sampleStatistics, seconds } from 'dfaas';

const ROWS = '${table}';

export default defineExperiment({
  name: '${name}',
  origin: 'dfaas',
  description: 'cold and warm latency of one function, round after round',
  params: paramsOf({
    function_name: functionName('function1'),
    rounds: count(5),
    /** Seconds of busy work per call. */
    throughput_time: amount(0.1),
    /** Pause between two rounds. */
    pause: seconds(10),
  }),
  tables: [
    {
      name: ROWS,
      description: 'one row per round: the cold call and the warm one after it',
      columns: { round: 'integer', cold_latency: 'real', warm_latency: 'real', cold_instance: 'text' },
    },
  ],
  async prepare(ctx, p) {
    ctx.progress(\`warming \${p.function_name} once\`);
    await ctx.bench.invoke(p.function_name);
  },
  async run(ctx, p) {
    for (let round = 0; round < p.rounds; round++) {
      await ctx.goCold(p.function_name);
      const payload = { throughput_time: ctx.work(p.throughput_time) };
      const cold = await ctx.bench.invoke(p.function_name, payload);
      const warm = await ctx.bench.invoke(p.function_name, payload);
      if (!cold.ok || !warm.ok) throw new Error(\`round \${round}: a call failed\`);
      ctx.record(ROWS, [
        {
          round,
          cold_latency: cold.rows[0]?.latency,
          warm_latency: warm.rows[0]?.latency,
          cold_instance: cold.rows[0]?.instance_identifier,
        },
      ]);
      ctx.progress(\`round \${round + 1} of \${p.rounds} done\`, p.pause);
      await ctx.time.wait(p.pause);
    }
  },
  process(recorded) {
    const rows = recorded.get(ROWS) ?? [];
    return {
      cold_median: sampleStatistics(rows.map((r) => Number(r.cold_latency))).median,
      warm_median: sampleStatistics(rows.map((r) => Number(r.warm_latency))).median,
    };
  },
});
`;
}
