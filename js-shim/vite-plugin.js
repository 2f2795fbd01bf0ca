// `wxsocket/vite`: a Vite plugin for uni-app's mini-program builds (`uni build -p mp-weixin`, any `mp-*`).
// uni-app bundles wxsocket's ESM entry into its vendor chunk, and Vite copies no .wasm for it; this plugin
// emits the package's brotli module where that entry looks first (wasm-location.js). Browser builds
// (uni-app's h5, plain Vite) need nothing: they import 'wxsocket/web'. Usage, the one line in
// vite.config.js: `plugins: [uni(), wxsocket()]`. `wxsocket({ emit: true })` emits on every target.
import { readFileSync } from 'fs';
import { join } from 'path';
import { FRAMEWORK_PATH, BROTLI_SUFFIX, PACKAGE_FILE } from './wasm-location.js';

function miniProgramTarget() {
  var platform = process.env.UNI_PLATFORM || '';
  return platform.indexOf('mp-') === 0 || platform === 'quickapp-webview';
}

export default function wxsocket(options) {
  var always = !!(options && options.emit);
  return {
    name: 'wxsocket',
    apply: 'build',
    generateBundle: function () {
      if (!always && !miniProgramTarget()) return;
      this.emitFile({
        type: 'asset',
        fileName: (FRAMEWORK_PATH + BROTLI_SUFFIX).slice(1),
        source: readFileSync(join(__dirname, PACKAGE_FILE)),
      });
    },
  };
}
