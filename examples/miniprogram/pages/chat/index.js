// A chat page on wxsocket: connect, show what arrives, send text, ask the server (request/response) and
// send a few bytes (binary frames). The socket comes from `wx.connectSocket`, found by the client itself.
const { connect } = require('wxsocket');
const config = require('../../config');

const MAX_MESSAGES = 100;

function hex(buffer) {
  const bytes = new Uint8Array(buffer);
  const out = [];
  for (let i = 0; i < bytes.length; i++) out.push((bytes[i] < 16 ? '0' : '') + bytes[i].toString(16));
  return out.join(' ');
}

function describe(data) {
  if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
    return '[binary ' + data.byteLength + ' bytes] ' + hex(data);
  }
  if (data && typeof data === 'object' && typeof data.text === 'string') return data.text;
  return typeof data === 'string' ? data : JSON.stringify(data);
}

Page({
  data: {
    state: 'connecting',
    messages: [],
    draft: '',
    lastBinaryHex: '',
    lastReply: null,
    error: ''
  },

  client: null,
  nextId: 1,

  onLoad() {
    connect({
      url: config.url,
      heartbeat: { intervalMs: 20000, timeoutMs: 5000 },
      reconnect: { minDelayMs: 300, maxDelayMs: 5000 }
    }).then(
      (client) => {
        if (this.unloaded) {
          client.close();
          client.free();
          return;
        }
        this.client = client;
        client.on('state', (e) => this.setData({ state: e.to }));
        client.on('open', (e) => this.note(e.reconnected ? 'reconnected' : 'connected'));
        client.on('close', (e) => this.note('closed (' + e.code + ')' + (e.willReconnect ? ', reconnecting' : '')));
        client.on('error', (e) => this.setData({ error: e.code + ': ' + e.message }));
        client.on('message', (data) => {
          if (Object.prototype.toString.call(data) === '[object ArrayBuffer]') {
            this.setData({ lastBinaryHex: hex(data) });
          }
          this.add('server', describe(data));
        });
        this.setData({ state: client.state });
      },
      (err) => {
        this.setData({ state: 'failed', error: err.code + ': ' + err.message });
      }
    );
  },

  onUnload() {
    this.unloaded = true;
    if (this.client) {
      this.client.close(1000, 'page closed');
      this.client.free();
      this.client = null;
    }
  },

  add(from, text) {
    const messages = this.data.messages.concat([{ id: this.nextId++, from: from, text: text }]);
    this.setData({ messages: messages.slice(-MAX_MESSAGES) });
  },

  note(text) {
    this.add('system', text);
  },

  onInput(e) {
    this.setData({ draft: e.detail.value });
  },

  onSend() {
    const text = this.data.draft.trim();
    if (!text || !this.client) return;
    // Sent now, or queued until the connection is back: either way it goes out in order.
    this.client.send({ text: text });
    this.add('me', text);
    this.setData({ draft: '' });
  },

  onAsk() {
    if (!this.client) return Promise.resolve();
    const asked = Date.now();
    return this.client.request({ method: 'time', params: { asked: asked } }, { timeoutMs: 5000 }).then(
      (reply) => {
        this.setData({ lastReply: reply });
        this.add('server', 'reply to ' + reply.result.method + ' after ' + (Date.now() - asked) + ' ms');
      },
      (err) => this.setData({ error: err.code + ': ' + err.message })
    );
  },

  onSendBinary() {
    if (!this.client) return;
    const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
    this.client.send(bytes.buffer);
    this.add('me', '[binary ' + bytes.length + ' bytes] ' + hex(bytes.buffer));
  }
});
