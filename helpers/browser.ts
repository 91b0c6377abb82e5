/**
 * Headless Chromium for the peers lane, driven by playwright-core against the
 * machine's own Chromium (no browser download): found with helpers/peers.ts
 * (KA_CHROMIUM or PATH). Closed after the test, whatever happened.
 *
 * The flags keep Chromium from talking to anything but the page's servers
 * (no background networking, no QUIC), and let it run as root in a container.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { defer } from './cleanup';
import { peerBinary } from './peers';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=NetworkPrediction,Preconnect',
];

/** A fresh browser context (its own connection pool) in a fresh headless Chromium. */
export async function openBrowser(options: { ignoreHTTPSErrors?: boolean } = {}): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({ executablePath: peerBinary('chromium'), args: FLAGS, timeout: 15_000 });
  defer(() => browser.close());
  const context = await browser.newContext({ ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false });
  return { browser, context };
}
