'use strict';
// A test page in headless Chromium (tests/leak, tests/e2e/browser) that posts one result back: served from
// 127.0.0.1 with the package (pkg/), opened by the one Chromium launcher shared with the benchmark (bench/lib/cdp.mjs), and
// awaited until it posts, Chromium exits or the time runs out. Used by browser.test.js and gc.test.js.
const assert = require('node:assert/strict');
const path = require('node:path');
const { ROOT, importQuietly } = require('../e2e/helpers.js');

/**
 * Opens `page` (a file of `dir`, tests/leak unless given, with the query `params`) and resolves with the JSON
 * the page posts to `resultPath`; rejects if Chromium exits first or nothing comes within `ms`. The server
 * serves pkg/, `dir` and the directories in `serve`.
 */
async function resultOfPage({ page, params, resultPath, args, ms, dir = 'tests/leak', serve = [] }) {
  const [{ findChromium, launch }, { startStaticServer }] = await Promise.all([
    importQuietly(path.join(ROOT, 'bench', 'lib', 'cdp.mjs')),
    importQuietly(path.join(ROOT, 'bench', 'lib', 'static-server.mjs')),
  ]);
  const chromium = findChromium();
  assert.ok(chromium, 'no Chromium: scripts/setup.sh installs it (apt-get install chromium)');
  let resolveResult;
  const result = new Promise((r) => {
    resolveResult = r;
  });
  const pages = await startStaticServer(ROOT, ['pkg', dir, ...serve], {
    onPost: (where, body) => {
      if (where === resultPath) resolveResult(JSON.parse(body));
    },
  });
  let browser = null;
  let timer = null;
  try {
    browser = await launch(chromium, { args, url: `${pages.url}/${dir}/${page}?${new URLSearchParams(params)}` });
    const died = browser.exited.then((code) => Promise.reject(new Error(`chromium exited (${code}) before the page reported:\n${browser.stderr()}`)));
    died.catch(() => {});
    return await Promise.race([
      result,
      died,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no result from the page within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (browser) await browser.close();
    await pages.close();
  }
}

module.exports = { resultOfPage };
