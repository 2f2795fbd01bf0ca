// What the framework test apps do with wxsocket, the way page code would: load the module, connect to the
// test server, echo, make a request, and ride out a server kill. The app hands this object to the test
// through the console (`console.log('wxsocket-check', check)`: the harness keeps what is logged, and
// frameworks rewrite `wx`, not `console`); the test drives it and reads it.
import { connect } from 'wxsocket';
import serverUrl from './server-url.js';

export function startCheck() {
  var check = { state: 'loading', opens: 0, messages: [], errors: [], client: null };
  check.ready = connect({ url: serverUrl, reconnect: { minDelayMs: 100, maxDelayMs: 200 } }).then(
    function (client) {
      check.client = client;
      client.on('state', function (change) { check.state = change.to; });
      client.on('open', function () { check.opens += 1; });
      client.on('message', function (m) { check.messages.push(m); });
      client.on('error', function (e) { check.errors.push(e.code); });
      check.state = client.state;
    },
    function (err) {
      check.state = 'failed';
      check.failure = { code: err.code, message: err.message };
    }
  );
  console.log('wxsocket-check', check);
  return check;
}
