import { z } from 'zod';

/**
 * group_list.json: function names by group, as the DFaaS forecaster and agent read it, e.g.
 * `{"HIGH_USAGE":["matmul"],"LOW_USAGE":["echo","figlet"],"MEDIUM_USAGE":["shasum"]}`.
 * A function may be in one group only.
 */
export const GroupListSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9_]+$/, 'a group name is letters, digits and _'),
    z
      .array(z.string().min(1))
      .describe('The names of the functions in this group (each function in one group only).'),
  )
  .superRefine((groups, ctx) => {
    const seen = new Map<string, string>();
    for (const [group, names] of Object.entries(groups)) {
      names.forEach((name, i) => {
        const before = seen.get(name);
        if (before !== undefined)
          ctx.addIssue({ code: 'custom', path: [group, i], message: `${name} is already in ${before}` });
        seen.set(name, group);
      });
    }
  });

/** Functions by group name, as in group_list.json. */
export type GroupList = z.infer<typeof GroupListSchema>;
