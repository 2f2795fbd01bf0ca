// Typings with no holes: compiled with --strict against the built pkg/index.d.ts by holes.test.js.
// Each exported function pins one hole shut; its `@ts-expect-error` lines must stay errors (tsc reports an
// unused directive, TS2578, otherwise). holes.test.js also compiles this file against copies of index.d.ts
// with one hole reopened each, and checks that errors then appear inside that hole's function, and only there.
import { connect, consoleLogger, SocketClient, WxSocketError } from 'wxsocket';
import type { ConnectSocketOptions, SocketPlatform, SocketTaskLike, WxSocketErrorCode, WxSocketEventErrorCode } from 'wxsocket';

type IsAny<T> = 0 extends 1 & T ? true : false;
// Accepts a value only when its type is not `any`.
function notAny<T>(value: IsAny<T> extends true ? never : T): T {
  return value;
}

// codec: 'text' narrows `message` to string (binary frames stay ArrayBuffer), and `send` to strings.
export function textCodec(): void {
  const text = new SocketClient({ url: 'wss://example.com', platform: wx, codec: 'text' });
  text.on('message', (m) => {
    if (typeof m !== 'string') {
      const bytes: ArrayBuffer = m;
      console.log(bytes.byteLength);
      return;
    }
    console.log(m.toUpperCase());
  });
  text.on('message', (m) => {
    // @ts-expect-error a text message is a string or an ArrayBuffer, never a number
    const n: number = m;
    console.log(n);
  });
  text.send('a string');
  // @ts-expect-error the text codec sends strings, not objects
  text.send({ an: 'object' });
  // @ts-expect-error the text codec delivers strings: a structured message type is refused
  new SocketClient<{ n: number }>({ url: 'wss://example.com', platform: wx, codec: 'text' });
  void connect({ url: 'wss://example.com', platform: wx, codec: 'text' }).then((c) => {
    c.on('message', (m) => console.log(typeof m === 'string' ? m.toUpperCase() : m.byteLength));
  });
}

// `code` is a union: a thrown error's codes and an emitted error's codes, each its own.
export function errorCodes(thrown: WxSocketError, client: SocketClient): void {
  const code: WxSocketErrorCode = thrown.code;
  // @ts-expect-error not a code
  if (thrown.code === 'NOT_A_CODE') console.log(code);
  // @ts-expect-error an emitted code is never thrown
  if (thrown.code === 'HEARTBEAT_TIMEOUT') console.log(code);
  client.on('error', (ev) => {
    const emitted: WxSocketEventErrorCode = ev.code;
    // @ts-expect-error a thrown code is never emitted
    if (ev.code === 'CLOSED') console.log(emitted);
  });
}

// WxSocketError is a class: `instanceof` narrows an unknown catch value; `new` makes one.
export function errorClass(e: unknown): void {
  if (e instanceof WxSocketError) {
    const name: 'WxSocketError' = e.name;
    const code: string = e.code;
    console.log(name, code, e.message, e.remote, e.reply);
  }
  const made: Error = new WxSocketError('CLOSED', 'made by the page');
  console.log(made);
}

// The platform: connectSocket, its options and its task, and a WebSocket constructor, typed without any.
export function platform(): void {
  const options = notAny<Parameters<SocketPlatform['connectSocket']>[0]>({ url: 'wss://example.com' });
  const task = notAny<ReturnType<SocketPlatform['connectSocket']>>(wx.connectSocket(options));
  console.log(task);
  const own: SocketPlatform = {
    connectSocket(o: ConnectSocketOptions): SocketTaskLike {
      // @ts-expect-error the options are typed: there is no such field
      console.log(o.notAnOption);
      return wx.connectSocket({ url: o.url });
    },
  };
  new SocketClient({ url: 'wss://example.com', platform: own });
  // @ts-expect-error connectSocket must return a SocketTask (or a promise of one)
  new SocketClient({ url: 'wss://example.com', platform: { connectSocket: () => 42 } });
  // @ts-expect-error a WebSocket constructor's instances must have send and close
  new SocketClient({ url: 'wss://example.com', platform: class { constructor(readonly url: string) {} } });
}

// consoleLogger fits the logger option, and its level is a LogLevel.
export function logger(): void {
  new SocketClient({ url: 'wss://example.com', platform: wx, logger: consoleLogger({ level: 'debug' }) });
  // @ts-expect-error not a level
  consoleLogger({ level: 'verbose' });
}

// A subclass names its message types (the constructor has two signatures, of different types).
export class Chat extends SocketClient<{ text: string }, { text: string }> {
  say(text: string): boolean {
    return this.send({ text });
  }
}
