// Store URIs lose their passwords before they are logged or shown in errors.

import { redactUri } from '../../src/core/redact';

test.each([
  ['redis://:secret@10.0.0.1:6379/0', 'redis://:***@10.0.0.1:6379/0'],
  ['mongodb://user:p%40ss@db1,db2/q?replicaSet=rs0', 'mongodb://user:***@db1,db2/q?replicaSet=rs0'],
  ['rediss://user@host:6380', 'rediss://user@host:6380'],
  ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
  ['memory:', 'memory:'],
])('%s → %s', (uri, shown) => {
  expect(redactUri(uri)).toBe(shown);
});
