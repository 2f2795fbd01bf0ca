// Request ids: the key a reply is matched by.

// The key a request id is matched by: numbers and strings kept apart; undefined for anything else.
export function requestKey(id) {
  if (typeof id === 'number') return 'n:' + id;
  if (typeof id === 'string') return 's:' + id;
  return undefined;
}
