// The benchmark's messages: chat-shaped JSON objects whose JSON text is exactly `bytes` UTF-8 bytes
// (ASCII only, so bytes = characters). Above 64 B they carry a list of small records, so encoding and
// decoding do the work a real app's messages need (keys, numbers, booleans, short strings), not one long
// string copy.

export function makeMessage(bytes) {
  const msg = { type: 'chat', seq: 1, room: 'r42', text: '' };
  const base = JSON.stringify(msg).length;
  if (base > bytes) throw new Error('makeMessage: ' + bytes + ' B is below the smallest message (' + base + ' B)');
  if (bytes >= 256) {
    msg.items = [];
    for (let i = 0; ; i++) {
      const item = { id: 1000 + i, from: 'user' + (i % 97), at: 1764000000000 + i * 37, ok: i % 3 !== 0, body: 'message number ' + i };
      msg.items.push(item);
      if (JSON.stringify(msg).length > bytes - 16) {
        msg.items.pop();
        break;
      }
    }
  }
  const pad = bytes - JSON.stringify(msg).length;
  msg.text = 'abcdefghijklmnopqrstuvwxyz0123456789 '.repeat(Math.ceil(pad / 37) + 1).slice(0, pad);
  const n = JSON.stringify(msg).length;
  if (n !== bytes) throw new Error('makeMessage: built ' + n + ' B instead of ' + bytes);
  return msg;
}
