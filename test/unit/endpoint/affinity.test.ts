// Rendezvous hashing (endpoint/affinity.ts): the same key always ranks servers the same way,
// removing a server moves only the keys it had, and keys spread evenly.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyTable, rendezvousOrder } from '../../../src/core/endpoint/affinity';

const servers = ['http://a:8000/v1', 'http://b:8000/v1', 'http://c:8000/v1', 'http://d:8000/v1'];
const keys = Array.from({ length: 4000 }, (_, i) => `video-${i}`);
const first = (key: string, list: string[]) => rendezvousOrder(key, list, (s) => s)[0]!;

describe('rendezvousOrder', () => {
  test('is stable: the same key ranks the same servers the same way, whatever their order', () => {
    for (const key of keys.slice(0, 200)) {
      assert.deepEqual(
        rendezvousOrder(key, servers, (s) => s),
        rendezvousOrder(key, [...servers].reverse(), (s) => s),
      );
    }
  });

  test('removing a server moves only its keys, each to its second choice', () => {
    const gone = servers[2]!;
    const rest = servers.filter((s) => s !== gone);
    for (const key of keys) {
      const before = rendezvousOrder(key, servers, (s) => s);
      const after = first(key, rest);
      if (before[0] !== gone) assert.equal(after, before[0], key);
      else assert.equal(after, before[1], key);
    }
  });

  test('spreads keys evenly (each server within 15 % of a quarter)', () => {
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(first(key, servers), (counts.get(first(key, servers)) ?? 0) + 1);
    for (const s of servers) {
      const share = (counts.get(s) ?? 0) / keys.length;
      assert.ok(Math.abs(share - 0.25) < 0.25 * 0.15, `${s}: ${share}`);
    }
  });
});

describe('KeyTable', () => {
  test('pins, shares, moves and forgets a dead server', () => {
    const table = new KeyTable<string>();
    table.pin('v', 'a');
    table.pin('v', 'b');
    assert.deepEqual(table.get('v')!.homes, ['a', 'b']);
    table.get('v')!.sentTo.add('a');
    table.drop('a');
    assert.deepEqual(table.get('v')!.homes, ['b']);
    assert.equal(table.get('v')!.sentTo.size, 0);
    table.move('v', 'c');
    assert.deepEqual(table.get('v')!.homes, ['c']);
  });
});
