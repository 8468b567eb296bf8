/**
 * Charts as dfaas's reports draw them: a Vega-Lite specification, compiled to Vega and rendered
 * headless in Node to a static SVG (for the file to read offline, and for tests), with the
 * compiled Vega specification kept for the browser to draw it again interactively (./page.ts).
 * Vega-Lite gives what a hand-drawn SVG did not: nice ticks, units in the axis titles, legends,
 * values on hover.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type ChartSpec = TopLevelSpec;

export interface RenderedChart {
  /** The chart as a static SVG document fragment. */
  svg: string;
  /** The compiled Vega specification, for the interactive view in a browser. */
  vega: object;
}

/** Compiles and renders a Vega-Lite specification (its data inline: no loading, no network). */
export async function renderChart(spec: ChartSpec): Promise<RenderedChart> {
  const vega = compile(spec).spec;
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    return { svg: roundGeometry(await view.toSVG()), vega };
  } finally {
    view.finalize();
  }
}

/** The attributes of an SVG that hold coordinates (never text a reader sees). */
const GEOMETRY = /\b(d|transform|points|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g;

/**
 * Vega writes coordinates with up to 15 digits; to the hundredth of a pixel they draw the same,
 * and a report of many points is half the size.
 */
function roundGeometry(svg: string): string {
  return svg.replace(
    GEOMETRY,
    (_, name: string, value: string) =>
      `${name}="${value.replace(/-?\d+\.\d{3,}/g, (n) => String(Math.round(Number(n) * 100) / 100))}"`,
  );
}
