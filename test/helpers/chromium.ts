import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * Debian's Chromium for a test, through playwright-core (never a downloaded browser): headless,
 * no sandbox (CI runs as root), no GPU, no background networking, a fresh profile in `dir`.
 */
export function launchChromium(
  executablePath: string,
  dir: string,
  viewport = { width: 1300, height: 900 },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    viewport,
  });
}
