// Part 2 in Node: send and receive overhead (see ../lib/overhead.mjs).
import { performance } from 'node:perf_hooks';
import { runOverhead } from '../lib/overhead.mjs';
import { require, loadPackage, output, log } from './common.mjs';

const { pkg } = loadPackage();
await pkg.init();
const ReconnectingWebSocket = require('reconnecting-websocket');
const result = await runOverhead({
  SocketClient: pkg.SocketClient,
  ReconnectingWebSocket: ReconnectingWebSocket.default || ReconnectingWebSocket,
  now: () => performance.now(),
  log,
});
output({ runtime: 'node ' + process.version, ...result });
