// The `stats` property's object.

// The `stats` object; `rtt` is -1 before the first pong.
export function statsObject(connects, reconnects, sent, received, bytesSent, bytesReceived, dropped, rtt) {
  return {
    connects: connects,
    reconnects: reconnects,
    messagesSent: sent,
    messagesReceived: received,
    bytesSent: bytesSent,
    bytesReceived: bytesReceived,
    dropped: dropped,
    lastRttMs: rtt < 0 ? null : rtt
  };
}
