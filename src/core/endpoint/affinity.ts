// Which server of a fleet a request goes to when it carries an affinity key (the video's hash).
//
// Every question of a video shares the system text + video prefix, and a server encodes that
// video once and reuses it from its prefix / multimodal cache for the other questions. Spread
// over N servers by load alone, each server encodes every video: N times the vision-encoder and
// prefill work that dominates the cost. So a key is pinned to one server:
//
//  - rendezvous (highest-random-weight) hashing picks the server: rank servers by
//    hash(key, server) and take the first, so the same video lands on the same server in every
//    run and process (its cache still holds it), and when a server leaves only its keys move;
//  - with a bound on load (consistent hashing with bounded loads, Mirrokni et al. 2018): a new key
//    skips servers already holding more than LOAD_BOUND × the mean load, so hashing never piles
//    several videos onto one server while another idles;
//  - a server that stops answering loses its keys; they are pinned again among the others on
//    their next request, and nothing already asked is lost (the pool retries those requests);
//  - a server with a free slot and nothing of its own to do takes over a key that has not been
//    sent anywhere yet (free: it is encoded once either way), or, once it has been idle for
//    STEAL_AFTER_IDLE_MS (the end of a run), shares a key whose server has a long queue (at most
//    MAX_HOMES servers per key: one extra encoding instead of the idle server waiting).
import { createHash } from 'node:crypto';

/** A new key goes to a server whose load (in flight + waiting) stays within this × the mean. */
export const LOAD_BOUND = 1.25;
/** Servers one key may be spread over, after stealing. */
export const MAX_HOMES = 2;
/** A server shares (and encodes again) a video another server has started only after it has
 *  had nothing to do for this long: in the middle of a run the next video arrives sooner (its
 *  frames are being extracted), at the end nothing else will. */
export const STEAL_AFTER_IDLE_MS = 1000;
/** ... and only a video with at least this many rounds of the thief's slots waiting. */
export const STEAL_MIN_WAITING_ROUNDS = 3;
/** Keys remembered; the oldest idle ones are forgotten beyond this (they re-hash to the same server). */
const MAX_KEYS = 4096;

/** hash(key, server) as a 52-bit number: the rendezvous weight. */
export function rendezvousWeight(key: string, serverId: string): number {
  const digest = createHash('sha256').update(key).update('\n').update(serverId).digest();
  return digest.readUIntBE(0, 6) * 16 + (digest[6]! >> 4);
}

/** `servers` from the highest rendezvous weight for `key` to the lowest. */
export function rendezvousOrder<T>(key: string, servers: readonly T[], idOf: (server: T) => string): T[] {
  return servers
    .map((server) => ({ server, weight: rendezvousWeight(key, idOf(server)) }))
    .sort((a, b) => b.weight - a.weight)
    .map((x) => x.server);
}

export interface KeyState<S> {
  /** Servers this key's requests may go to (one, or MAX_HOMES after a steal). */
  homes: S[];
  /** Servers a request of this key has been sent to (so they hold or are encoding the video). */
  sentTo: Set<S>;
}

/** The pinned servers of each key, oldest first (Map order), bounded. */
export class KeyTable<S> {
  private readonly keys = new Map<string, KeyState<S>>();

  get(key: string): KeyState<S> | undefined {
    return this.keys.get(key);
  }

  pin(key: string, server: S): KeyState<S> {
    let state = this.keys.get(key);
    if (state) {
      if (!state.homes.includes(server)) state.homes.push(server);
    } else {
      state = { homes: [server], sentTo: new Set() };
      this.keys.set(key, state);
      if (this.keys.size > MAX_KEYS) {
        const oldest = this.keys.keys().next().value;
        if (oldest !== undefined && oldest !== key) this.keys.delete(oldest);
      }
    }
    return state;
  }

  /** Moves a key that no server has been sent yet to `server` alone. */
  move(key: string, server: S): void {
    const state = this.keys.get(key);
    if (state) state.homes = [server];
    else this.pin(key, server);
  }

  /** Forgets `server` as a home of every key (it stopped answering). */
  drop(server: S): void {
    for (const state of this.keys.values()) {
      state.homes = state.homes.filter((s) => s !== server);
      state.sentTo.delete(server);
    }
  }
}
