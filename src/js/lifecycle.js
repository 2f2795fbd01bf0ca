// App lifecycle (hide/show) and network status, where the platform has them, reported to the client's sink.

import { hasConnectSocket } from './transport.js';

// App lifecycle and network status, where the platform has them. Returns an object whose stop()
// removes every listener it added.
export function watchLifecycle(platform, sink) {
  var offs = [];
  var p = hasConnectSocket(platform) ? platform : null;
  var add = function (on, off, fn) {
    if (p && typeof p[on] === 'function') {
      p[on](fn);
      if (typeof p[off] === 'function') offs.push(function () { p[off](fn); });
    }
  };
  add('onAppHide', 'offAppHide', function () { sink.appHidden(Date.now()); });
  add('onAppShow', 'offAppShow', function () { sink.appShown(Date.now()); });
  add('onNetworkStatusChange', 'offNetworkStatusChange', function (ev) { sink.network(!!(ev && ev.isConnected), Date.now()); });
  if (!p && typeof addEventListener === 'function' && typeof removeEventListener === 'function') {
    var online = function () { sink.network(true, Date.now()); };
    var offline = function () { sink.network(false, Date.now()); };
    addEventListener('online', online);
    addEventListener('offline', offline);
    offs.push(function () { removeEventListener('online', online); removeEventListener('offline', offline); });
    if (typeof document !== 'undefined' && document && typeof document.addEventListener === 'function') {
      var vis = function () { if (document.visibilityState === 'hidden') sink.appHidden(Date.now()); else sink.appShown(Date.now()); };
      document.addEventListener('visibilitychange', vis);
      offs.push(function () { document.removeEventListener('visibilitychange', vis); });
    }
  }
  return { stop: function () { for (var i = 0; i < offs.length; i++) offs[i](); offs.length = 0; } };
}

export function stopLifecycle(w) {
  if (w) w.stop();
}
