// Tests for the scripted fake `wx` (tests/support/fake_wx.js). Covers:
// - the SocketTask's shape (no off*, no readyState) and the asynchronous success/fail/complete callbacks;
// - send rules: not connected before open, string or ArrayBuffer only, what was sent is recorded;
// - close rules: 1000 or 3000–4999 only, missing code refused, reason at most 123 UTF-8 bytes, autoClose;
// - the 5-task limit (closing tasks count) and its errMsg through onError, onClose and fail;
// - listeners registered after an event miss it; fireLate reaches listeners after close;
// - listener errors are kept and rethrown from script calls;
// - app lifecycle and network listeners with their off* functions, getNetworkType;
// - the plain `fake*` functions used from Rust.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fake from './fake_wx.js';

const { createFakeWx } = fake;

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const ticks = async (n = 3) => {
  for (let i = 0; i < n; i++) await tick();
};

// Runs `call(callbacks)` and resolves with what success/fail/complete received, after checking nothing ran
// synchronously.
async function outcome(call) {
  const got = [];
  call({
    success: (r) => got.push(['success', r.errMsg]),
    fail: (r) => got.push(['fail', r.errMsg]),
    complete: (r) => got.push(['complete', r.errMsg]),
  });
  assert.deepEqual(got, [], 'callbacks must not run synchronously');
  await ticks();
  return got;
}

function openTask(ctrl, url = 'wss://example.test/ws') {
  const task = ctrl.wx.connectSocket({ url });
  const record = ctrl.lastTask();
  record.serverOpen();
  return { task, record };
}

test('connectSocket returns a task synchronously with only send, close and on* methods', async () => {
  const ctrl = createFakeWx();
  const got = [];
  const task = ctrl.wx.connectSocket({
    url: 'wss://example.test/ws',
    header: { 'X-Token': 't' },
    protocols: ['p1'],
    success: (r) => got.push(['success', r.errMsg]),
    complete: (r) => got.push(['complete', r.errMsg]),
  });
  assert.equal(typeof task, 'object');
  assert.deepEqual(Object.keys(task).sort(), ['close', 'onClose', 'onError', 'onMessage', 'onOpen', 'send']);
  for (const name of ['offOpen', 'offMessage', 'offClose', 'offError', 'readyState']) {
    assert.equal(name in task, false, `${name} must not exist`);
  }
  assert.deepEqual(got, []);
  await ticks();
  assert.deepEqual(got, [['success', 'connectSocket:ok'], ['complete', 'connectSocket:ok']]);
  const record = ctrl.lastTask();
  assert.equal(record.task, task);
  assert.equal(record.state, 'connecting');
  assert.equal(record.options.url, 'wss://example.test/ws');
  assert.deepEqual(record.options.header, { 'X-Token': 't' });
  assert.deepEqual(record.options.protocols, ['p1']);
});

test('send before open fails with the not-connected errMsg, asynchronously', async () => {
  const ctrl = createFakeWx();
  const task = ctrl.wx.connectSocket({ url: 'wss://example.test/ws' });
  const got = await outcome((cb) => task.send({ data: 'early', ...cb }));
  assert.deepEqual(got, [
    ['fail', 'sendSocketMessage:fail WebSocket is not connected'],
    ['complete', 'sendSocketMessage:fail WebSocket is not connected'],
  ]);
  assert.deepEqual(ctrl.lastTask().sent, []);
});

test('send accepts only a string or an ArrayBuffer and records what it sent', async () => {
  const ctrl = createFakeWx();
  const { task, record } = openTask(ctrl);
  assert.deepEqual(await outcome((cb) => task.send({ data: 'hello', ...cb })), [
    ['success', 'sendSocketMessage:ok'],
    ['complete', 'sendSocketMessage:ok'],
  ]);
  const buf = new Uint8Array([1, 2, 3]).buffer;
  task.send({ data: buf });
  new Uint8Array(buf)[0] = 99; // the recorded copy must not change
  for (const bad of [new Uint8Array([1]), 42, { a: 1 }, undefined, null]) {
    const got = await outcome((cb) => task.send({ data: bad, ...cb }));
    assert.equal(got[0][0], 'fail');
    assert.match(got[0][1], /^sendSocketMessage:fail parameter error: parameter\.data should be String or ArrayBuffer/);
  }
  const typed = await outcome((cb) => task.send({ data: new Uint8Array(2), ...cb }));
  assert.match(typed[0][1], /instead of Uint8Array/);
  assert.equal(record.sent.length, 2);
  assert.equal(record.sent[0], 'hello');
  assert.deepEqual([...new Uint8Array(record.sent[1])], [1, 2, 3]);
});

test('close refuses codes other than 1000 and 3000–4999, a missing code and long reasons', async () => {
  const ctrl = createFakeWx({ autoClose: false });
  const { task, record } = openTask(ctrl);
  for (const code of [undefined, 999, 1001, 1005, 1006, 2999, 5000, 1000.5, '1000']) {
    const got = await outcome((cb) => task.close({ code, reason: 'x', ...cb }));
    assert.equal(got[0][0], 'fail', `code ${code} must fail`);
    assert.match(got[0][1], /^closeSocket:fail /);
    assert.equal(got[1][0], 'complete');
  }
  assert.match((await outcome((cb) => task.close({ code: 1001, ...cb })))[0][1],
    /^closeSocket:fail The code must be either 1000, or between 3000 and 4999\. 1001 is neither\.$/);
  // 124 UTF-8 bytes: 62 two-byte characters; 42 CJK characters are 126 bytes.
  for (const reason of ['é'.repeat(62), '中'.repeat(42), 'a'.repeat(124)]) {
    const got = await outcome((cb) => task.close({ code: 1000, reason, ...cb }));
    assert.deepEqual(got[0], ['fail', 'closeSocket:fail The message must not be greater than 123 bytes.']);
  }
  assert.equal(record.state, 'open', 'refused closes change nothing');
  // 123 bytes is fine.
  const ok = await outcome((cb) => task.close({ code: 4999, reason: '中'.repeat(41), ...cb }));
  assert.deepEqual(ok, [['success', 'closeSocket:ok'], ['complete', 'closeSocket:ok']]);
  assert.equal(record.state, 'closing');
  const last = record.closeCalls[record.closeCalls.length - 1];
  assert.deepEqual(last, { code: 4999, reason: '中'.repeat(41), ok: true });
  assert.equal(record.closeCalls.filter((c) => !c.ok).length, 13);
});

test('codes 1000 and 3000 close; with autoClose onClose follows on a later macrotask', async () => {
  const ctrl = createFakeWx();
  for (const code of [1000, 3000]) {
    const { task, record } = openTask(ctrl);
    const closes = [];
    task.onClose((r) => closes.push(r));
    task.close({ code, reason: 'done' });
    assert.equal(record.state, 'closing');
    assert.equal(ctrl.liveCount(), 1, 'a closing task is still live');
    assert.deepEqual(closes, []);
    await ticks();
    assert.deepEqual(closes, [{ code, reason: 'done' }]);
    assert.equal(record.state, 'closed');
    assert.equal(ctrl.liveCount(), 0);
  }
});

test('with autoClose off a closing task waits for serverClose', async () => {
  const ctrl = createFakeWx({ autoClose: false });
  const { task, record } = openTask(ctrl);
  const closes = [];
  task.onClose((r) => closes.push(r));
  task.close({ code: 1000 });
  await ticks();
  assert.equal(record.state, 'closing');
  assert.deepEqual(closes, []);
  // Messages can still arrive while closing.
  const msgs = [];
  task.onMessage((m) => msgs.push(m.data));
  record.serverMessage('late but valid');
  assert.deepEqual(msgs, ['late but valid']);
  record.serverClose(1000, 'bye');
  assert.deepEqual(closes, [{ code: 1000, reason: 'bye' }]);
  assert.throws(() => record.serverClose(1000, ''), /serverClose on a task in state closed/);
});

test('at most 5 live tasks: the 6th errors through onError, onClose and fail', async () => {
  const ctrl = createFakeWx({ autoClose: false });
  for (let i = 0; i < 5; i++) ctrl.wx.connectSocket({ url: 'wss://example.test/' + i });
  ctrl.tasks[0].serverOpen();
  ctrl.tasks[1].task.close({ code: 1000 }); // closing still counts
  assert.equal(ctrl.liveCount(), 5);

  const events = [];
  const sixth = ctrl.wx.connectSocket({
    url: 'wss://example.test/6',
    success: () => events.push('success'),
    fail: (r) => events.push(['fail', r.errMsg]),
    complete: () => events.push('complete'),
  });
  sixth.onError((r) => events.push(['error', r.errMsg]));
  sixth.onClose((r) => events.push(['close', r.code]));
  assert.deepEqual(events, [], 'nothing happens synchronously');
  await ticks();
  const msg = 'connectSocket:fail fail reach max websocket connect count 5';
  assert.deepEqual(events.filter((e) => e[0] === 'error' || e[0] === 'close'), [['error', msg], ['close', 1006]]);
  assert.deepEqual(events.filter((e) => e[0] === 'fail'), [['fail', msg]]);
  assert.ok(events.includes('complete'));
  assert.ok(!events.includes('success'));
  assert.equal(ctrl.liveCount(), 5);
  assert.equal(ctrl.tasks.length, 6);
  assert.equal(ctrl.lastTask().state, 'closed');

  // Once one closes for real, a new task is accepted.
  ctrl.tasks[2].serverClose(1006, 'gone');
  assert.equal(ctrl.liveCount(), 4);
  const ok = ctrl.wx.connectSocket({ url: 'wss://example.test/7' });
  const errors = [];
  ok.onError((r) => errors.push(r));
  await ticks();
  assert.deepEqual(errors, []);
  assert.equal(ctrl.lastTask().state, 'connecting');
  assert.equal(ctrl.liveCount(), 5);
});

test('a listener registered after an event is not called for it', async () => {
  const ctrl = createFakeWx();
  const task = ctrl.wx.connectSocket({ url: 'wss://example.test/ws' });
  const record = ctrl.lastTask();
  const early = [];
  task.onOpen((r) => early.push(r));
  record.serverOpen({ 'x-server': '1' });
  assert.equal(early.length, 1, 'delivered synchronously');
  assert.deepEqual(early[0].header, { 'x-server': '1' });
  assert.equal(typeof early[0].profile, 'object');

  const late = [];
  task.onOpen((r) => late.push(r));
  record.serverMessage('m1');
  const lateMsgs = [];
  task.onMessage((m) => lateMsgs.push(m.data));
  await ticks();
  assert.deepEqual(late, []);
  assert.deepEqual(lateMsgs, []);
  record.serverMessage('m2');
  assert.deepEqual(lateMsgs, ['m2']);
  assert.equal(early.length, 1);
});

test('serverMessage delivers strings and ArrayBuffers; script misuse throws', () => {
  const ctrl = createFakeWx();
  const task = ctrl.wx.connectSocket({ url: 'wss://example.test/ws' });
  const record = ctrl.lastTask();
  assert.throws(() => record.serverMessage('too early'), /state connecting/);
  const got = [];
  task.onMessage((m) => got.push(m.data));
  record.serverOpen();
  assert.throws(() => record.serverOpen(), /serverOpen on a task in state open/);
  record.serverMessage('text');
  record.serverMessage(new Uint8Array([5, 6, 7]).subarray(1));
  assert.equal(got[0], 'text');
  assert.ok(got[1] instanceof ArrayBuffer, 'typed arrays arrive as an ArrayBuffer of their own bytes');
  assert.deepEqual([...new Uint8Array(got[1])], [6, 7]);
  assert.throws(() => record.serverMessage(12), /string or an ArrayBuffer/);
});

test('serverError and serverClose reach the listeners; fireLate reaches them after close', () => {
  const ctrl = createFakeWx();
  const { task, record } = openTask(ctrl);
  const seen = [];
  task.onError((r) => seen.push(['error', r.errMsg]));
  task.onClose((r) => seen.push(['close', r.code, r.reason]));
  task.onMessage((r) => seen.push(['message', r.data]));
  record.serverError('boom');
  record.serverClose(1001, 'going away');
  assert.equal(record.state, 'closed');
  assert.throws(() => record.serverError('again'), /state closed/);
  record.fireLate('message', { data: 'after close' });
  record.fireLate('close');
  assert.deepEqual(seen, [
    ['error', 'boom'],
    ['close', 1001, 'going away'],
    ['message', 'after close'],
    ['close', 1006, 'late'],
  ]);
  assert.equal(record.state, 'closed', 'fireLate changes no state');
  assert.throws(() => record.fireLate('bogus'), /kind must be one of/);
});

test('a throwing listener: the others still run, the error is kept and rethrown to the script', () => {
  const ctrl = createFakeWx();
  const { task, record } = openTask(ctrl);
  const seen = [];
  task.onMessage(() => {
    throw new Error('listener bug');
  });
  task.onMessage((m) => seen.push(m.data));
  assert.throws(() => record.serverMessage('x'), /listener bug/);
  assert.deepEqual(seen, ['x']);
  assert.equal(ctrl.listenerErrors.length, 1);
  assert.equal(fake.fakeListenerErrors(ctrl)[0].message, 'listener bug');
});

test('connectSocket with a bad url fails through fail, onError and onClose', async () => {
  const ctrl = createFakeWx();
  for (const [url, re] of [[undefined, /parameter\.url should be String instead of Undefined/], ['http://x', /invalid url/]]) {
    const events = [];
    const task = ctrl.wx.connectSocket({ url, fail: (r) => events.push(['fail', r.errMsg]) });
    task.onError((r) => events.push(['error', r.errMsg]));
    await ticks();
    assert.equal(events.length, 2);
    for (const [, errMsg] of events) assert.match(errMsg, re);
  }
  assert.equal(ctrl.liveCount(), 0);
});

test('app lifecycle and network listeners, their off* functions and getNetworkType', async () => {
  const ctrl = createFakeWx();
  const { wx } = ctrl;
  const seen = [];
  const onHide = () => seen.push('hide');
  const onShow = (r) => seen.push(['show', typeof r]);
  const onNet = (r) => seen.push(['net', r.isConnected, r.networkType]);
  wx.onAppHide(onHide);
  wx.onAppShow(onShow);
  wx.onNetworkStatusChange(onNet);
  wx.onNetworkStatusChange(() => seen.push('net2'));
  assert.deepEqual(ctrl.listenerCounts(), { appHide: 1, appShow: 1, networkStatusChange: 2 });
  ctrl.hide();
  ctrl.show();
  ctrl.setNetwork(false);
  ctrl.setNetwork(true, '4g');
  assert.deepEqual(seen, ['hide', ['show', 'object'], ['net', false, 'none'], 'net2', ['net', true, '4g'], 'net2']);

  assert.equal((await wx.getNetworkType()).networkType, '4g');
  const viaCallback = await new Promise((resolve) => wx.getNetworkType({ success: resolve }));
  assert.deepEqual(viaCallback, { networkType: '4g', errMsg: 'getNetworkType:ok' });

  wx.offAppHide(onHide);
  wx.offAppShow(onShow);
  wx.offNetworkStatusChange(onNet);
  assert.deepEqual(fake.fakeListenerCounts(ctrl), { appHide: 0, appShow: 0, networkStatusChange: 1 });
  wx.offNetworkStatusChange(); // no argument: remove all
  assert.deepEqual(ctrl.listenerCounts(), { appHide: 0, appShow: 0, networkStatusChange: 0 });
  seen.length = 0;
  ctrl.hide();
  ctrl.setNetwork(false);
  assert.deepEqual(seen, []);
});

test('the fake* functions for Rust drive and inspect the same state', async () => {
  const ctrl = fake.fakeWxNew();
  const wx = fake.fakeWx(ctrl);
  assert.equal(fake.fakeLastTask(ctrl), null);
  const task = wx.connectSocket({ url: 'wss://example.test/rs', header: { a: 'b' } });
  const rec = fake.fakeLastTask(ctrl);
  assert.equal(rec.task, task);
  assert.equal(fake.fakeTask(ctrl, 0), rec);
  assert.equal(fake.fakeTaskCount(ctrl), 1);
  assert.equal(fake.fakeLiveCount(ctrl), 1);
  assert.deepEqual(fake.fakeTaskOptions(rec).header, { a: 'b' });
  const seen = [];
  task.onOpen(() => seen.push('open'));
  task.onMessage((m) => seen.push(m.data));
  task.onError((e) => seen.push(e.errMsg));
  task.onClose((c) => seen.push(c.code));
  assert.deepEqual(fake.fakeTaskListenerCounts(rec), { open: 1, message: 1, close: 1, error: 1 });
  fake.fakeServerOpen(rec);
  assert.equal(fake.fakeTaskState(rec), 'open');
  fake.fakeServerMessage(rec, 'hi');
  task.send({ data: 'out' });
  const sent = fake.fakeSent(rec);
  sent.push('not really');
  assert.deepEqual(fake.fakeSent(rec), ['out'], 'fakeSent returns a copy');

  fake.fakeSetSendFailure(rec, 'sendSocketMessage:fail network down');
  const failed = await outcome((cb) => task.send({ data: 'x', ...cb }));
  assert.deepEqual(failed[0], ['fail', 'sendSocketMessage:fail network down']);
  fake.fakeSetSendFailure(rec, null);

  fake.fakeSetAutoClose(ctrl, false);
  task.close({ code: 1000, reason: 'r' });
  assert.deepEqual(fake.fakeCloseCalls(rec), [{ code: 1000, reason: 'r', ok: true }]);
  await ticks();
  assert.equal(fake.fakeTaskState(rec), 'closing');
  fake.fakeServerError(rec, 'err');
  fake.fakeServerClose(rec, 4000, 'server');
  fake.fakeFireLate(rec, 'message', { data: 'late' });
  assert.deepEqual(seen, ['open', 'hi', 'err', 4000, 'late']);
  assert.equal(fake.fakeLiveCount(ctrl), 0);

  let hides = 0;
  let net = null;
  wx.onAppHide(() => hides++);
  wx.onAppShow(() => hides--);
  wx.onNetworkStatusChange((r) => { net = r.isConnected; });
  fake.fakeHide(ctrl);
  fake.fakeHide(ctrl);
  fake.fakeShow(ctrl);
  fake.fakeSetNetwork(ctrl, false);
  assert.equal(hides, 1);
  assert.equal(net, false);
});
