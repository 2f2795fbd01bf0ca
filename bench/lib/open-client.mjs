// Our client alone on the bench fake wx (fakes.mjs), open, with one `bytes`-sized message ready to send
// (`obj`) and as an inbound frame (`frame`, delivered with `task.message(frame)`). Inbound messages add
// their `seq` to `rig.checksum`, so the work cannot be optimised away. Used by crossings.mjs and
// profile-target.mjs.
import { createBenchWx } from './fakes.mjs';
import { makeMessage } from './payload.mjs';

export function openBenchClient(pkg, bytes, extra) {
  const wx = createBenchWx();
  const client = new pkg.SocketClient({ url: 'wss://bench.example/ws', platform: wx.wx, lifecycle: false, ...extra });
  const task = wx.last;
  task.open();
  const obj = makeMessage(bytes);
  const rig = { client, task, obj, frame: JSON.stringify(obj), checksum: 0 };
  client.on('message', (v) => {
    rig.checksum += v.seq;
  });
  return rig;
}
