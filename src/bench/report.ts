/** Placeholder replaced by the report helper's work: `dfaas bench report`. */
import type { ResultsStore } from './store/contract.js';

export interface BenchReportOptions {
  runs: readonly string[];
  out: string;
}

export async function writeBenchReport(
  _store: ResultsStore,
  _opts: BenchReportOptions,
): Promise<{ report: string; latex: string }> {
  throw new Error('not yet');
}
