// The 'wxsocket/web' entry's default location of the module, written literally so that webpack 5, Vite,
// Parcel 2 and Rspack emit the .wasm as an asset and rewrite the URL. Only this entry names import.meta:
// mini-program bundlers pick the plain ESM entry (load-browser.js), which does not.
import { loadBrowser } from './load-browser.js';

export function loadWeb(options, imports) {
  return loadBrowser(options, imports, function () { return new URL('./wxsocket_bg.wasm', import.meta.url); });
}
