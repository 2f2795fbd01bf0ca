// App lifecycle (hide/show) and network status, where the platform has them, reported to the client's sink.

import { platformKind } from './transport.js';
import { HIDE, SHOW, NETWORK } from './sink.js';

// App lifecycle and network status, where the platform has them. Returns an object whose stop()
// removes every listener it added.
export function watchLifecycle(platform, sink) {
  var offs = [];
  var p = platformKind(platform) === 0 ? platform : null;
  var add = function (on, off, fn) {
    if (p && typeof p[on] === 'function') {
      p[on](fn);
      if (typeof p[off] === 'function') offs.push(function () { p[off](fn); });
    }
  };
  add('onAppHide', 'offAppHide', function () { sink(0, HIDE); });
  add('onAppShow', 'offAppShow', function () { sink(0, SHOW); });
  add('onNetworkStatusChange', 'offNetworkStatusChange', function (ev) { sink(0, NETWORK, !!(ev && ev.isConnected)); });
  if (!p && typeof addEventListener === 'function' && typeof removeEventListener === 'function') {
    var online = function () { sink(0, NETWORK, true); };
    var offline = function () { sink(0, NETWORK, false); };
    addEventListener('online', online);
    addEventListener('offline', offline);
    offs.push(function () { removeEventListener('online', online); removeEventListener('offline', offline); });
    if (typeof document !== 'undefined' && document && typeof document.addEventListener === 'function') {
      var vis = function () { sink(0, document.visibilityState === 'hidden' ? HIDE : SHOW); };
      document.addEventListener('visibilitychange', vis);
      offs.push(function () { document.removeEventListener('visibilitychange', vis); });
    }
  }
  return { stop: function () { for (var i = 0; i < offs.length; i++) offs[i](); offs.length = 0; } };
}

export function stopLifecycle(w) {
  if (w) w.stop();
}
