// How page code uses wxsocket with TypeScript; must type-check (tests/package/types.test.js).
import { connect, init, SocketClient, version } from 'wxsocket';
import type { CloseEvent, SocketClientOptions, SocketState, WxSocketError } from 'wxsocket';

interface ChatIn {
  text?: string;
  id?: number;
  result?: { method: string };
}
interface ChatOut {
  text: string;
}

export async function chat(url: string): Promise<SocketClient<ChatIn, ChatOut>> {
  await init({ wasmPath: '/miniprogram_npm/wxsocket/wxsocket_bg.wasm', brotli: true });
  const options: SocketClientOptions<ChatIn> = {
    url: () => Promise.resolve(url),
    platform: wx,
    header: { 'X-Token': 'abc' },
    protocols: ['chat.v1'],
    codec: 'json',
    connectTimeoutMs: 8000,
    reconnect: { minDelayMs: 500, maxDelayMs: 10000, jitter: 0.3, shouldReconnect: (c) => c.code !== 4001 },
    heartbeat: { intervalMs: 20000, timeoutMs: 5000, message: { type: 'ping' }, isPong: (m) => m.text === 'pong' },
    queue: { maxMessages: 100, overflow: 'drop-oldest' },
    lifecycle: true,
    logger: (level, message, fields) => console.log(level, message, fields),
  };
  const client = await connect<ChatIn, ChatOut>(options);
  const off = client.on('message', (m) => {
    if (m instanceof ArrayBuffer) console.log('bytes', m.byteLength);
    else console.log(m.text);
  });
  client.on('close', (e: CloseEvent) => console.log(e.code, e.willReconnect, e.delayMs));
  client.once('error', (e) => console.log(e.code, e.errMsg));
  const now: boolean = client.send({ text: 'hi' });
  client.send(new Uint8Array([1, 2, 3]));
  client.sendRaw('raw');
  const reply = await client.request<{ id: number; result: { method: string } }>({ text: 'ask' }, { timeoutMs: 3000 });
  console.log(now, reply.result.method, client.stats.bytesSent, client.retryCount, client.bufferedAmount);
  const state: SocketState = client.state;
  console.log(state, version.length);
  off();
  return client;
}

export function guarded(): void {
  try {
    new SocketClient({ url: 'wss://example.com/ws', platform: wx, startClosed: true }).free();
  } catch (e) {
    const err = e as WxSocketError;
    if (err.code === 'NOT_INITIALIZED') console.log(err.message);
  }
}

// Other platforms: a WebSocket constructor (browsers, npm ws): its instances need send and close.
export function browser(Ws: new (url: string, protocols?: string | string[]) => { binaryType: string; send(data: string): void; close(): void }): void {
  new SocketClient({ url: 'wss://example.com', platform: Ws, codec: 'text' }).close(1000, 'done');
}
