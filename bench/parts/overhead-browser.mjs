// Part 2 in headless Chromium: the same overhead measurement (../lib/overhead.mjs) in a page served from
// 127.0.0.1, driven over the DevTools protocol; then a CPU profile of our client alone (1 KiB messages,
// Profiler domain), summarised like the Node one (../lib/profile-summary.mjs).
import { startStaticServer } from '../lib/static-server.mjs';
import { findChromium, launch, evaluate } from '../lib/cdp.mjs';
import { ROOT, output, log } from './common.mjs';
import { summarize } from '../lib/profile-summary.mjs';

const PROFILE_MS = 1500;

const bin = findChromium();
if (!bin) {
  output({ skipped: 'no Chromium found (install it: scripts/setup.sh, or set CHROMIUM_BIN)' });
  process.exit(0);
}
const server = await startStaticServer(ROOT, ['pkg', 'bench/lib', 'bench/browser', 'node_modules/reconnecting-websocket/dist']);
const browser = await launch(bin);
try {
  const s = browser.session;
  s.on((msg) => {
    if (msg.method === 'Runtime.consoleAPICalled') {
      const text = msg.params.args.map((a) => (a.value !== undefined ? a.value : a.description)).join(' ');
      log(text);
    } else if (msg.method === 'Runtime.exceptionThrown') {
      log('page exception: ' + JSON.stringify(msg.params.exceptionDetails.exception && msg.params.exceptionDetails.exception.description));
    }
  });
  await s.send('Runtime.enable');
  await s.send('Page.enable');
  await s.send('Page.navigate', { url: server.url + '/bench/browser/page.html' });
  let ready = false;
  for (let i = 0; i < 200 && !ready; i++) {
    ready = await evaluate(s, 'window.benchReady === true').catch(() => false);
    if (!ready) await new Promise((r) => setTimeout(r, 50));
  }
  if (!ready) throw new Error('the benchmark page did not load');
  const result = await evaluate(s, 'window.benchOverhead()');
  const profile = { bytes: 1024 };
  await evaluate(s, 'window.benchProfile(1024)');
  await s.send('Profiler.enable');
  await s.send('Profiler.setSamplingInterval', { interval: 100 });
  for (const mode of ['send', 'receive']) {
    await s.send('Profiler.start');
    const messages = await evaluate(s, `window.benchProfileRun(${JSON.stringify(mode)}, ${PROFILE_MS})`);
    const { profile: prof } = await s.send('Profiler.stop');
    profile[mode] = summarize(prof, messages, ROOT);
    log(`  profile ${mode}: ` + profile[mode].groups.map((g) => `${g.group} ${g.share}%`).join(', '));
  }
  await evaluate(s, 'window.benchProfileDone()');
  output({ runtime: browser.version, ...result, profile });
} finally {
  await browser.close();
  await server.close();
}
