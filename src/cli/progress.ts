/**
 * The one progress reporter of long commands (sample, load, demo, forecast train and evaluate): on a terminal, one line on
 * stderr rewritten in place; otherwise (a pipe, a file, or --json) one JSON line per update
 * through the logger, which a program can follow.
 */
import type { CliContext } from './io.js';

export interface ProgressReporter {
  /** `text` for the terminal line, `fields` for the JSON line. */
  update(text: string, fields: Record<string, unknown>): void;
  /** Ends the terminal line (if one was drawn). */
  done(): void;
}

/** A reporter whose JSON lines carry `event` as their message. */
export function createProgress(
  ctx: Pick<CliContext, 'io' | 'json' | 'logger'>,
  event: string,
): ProgressReporter {
  const inPlace = Boolean(ctx.io.stderr.isTTY) && !ctx.json;
  let drawn = false;
  return {
    update(text, fields) {
      if (inPlace) {
        ctx.io.stderr.write(`\r${text}   `);
        drawn = true;
      } else ctx.logger.info(event, fields);
    },
    done() {
      if (drawn) ctx.io.stderr.write('\n');
      drawn = false;
    },
  };
}
