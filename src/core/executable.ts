/** Finding a program the way spawn() will run it: a path as given, or a name on PATH. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The executable `binary` resolves to (a path, or a name on PATH), or undefined. */
export function findExecutable(binary: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = binary.includes('/') ? [binary] : path.split(delimiter).map((d) => join(d, binary));
  return candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
