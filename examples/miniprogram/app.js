// Loading the WebAssembly module early is optional (connect() does it too): it overlaps the load with the
// first page's setup. init() is idempotent.
const { init } = require('wxsocket');

App({
  globalData: {
    wasmReady: false,
    wasmError: ''
  },

  onLaunch() {
    init().then(
      () => {
        this.globalData.wasmReady = true;
      },
      (err) => {
        this.globalData.wasmError = err.code + ': ' + err.message;
        console.error('wxsocket could not load', err);
      }
    );
  }
});
