import { Subject, type Observable } from 'rxjs';
import type { SubackPacket, Subscription, UnsubackPacket } from '../../lib/codec/packet.js';
import { ConnectionClosedError, SubscribeRefusedError } from '../../lib/errors.js';
import { MAX_HELD, SubscriptionRegistry, type SubscriptionRequests } from '../../lib/session/subscription-registry.js';

/** Records the requests and lets the test answer each one. */
class FakeRequests implements SubscriptionRequests {
  readonly log: string[] = [];
  readonly subacks: Subject<SubackPacket>[] = [];
  subscribe(subscription: Subscription): Observable<SubackPacket> {
    this.log.push(`SUBSCRIBE ${subscription.topicFilter} qos=${subscription.qos}`);
    const answer = new Subject<SubackPacket>();
    this.subacks.push(answer);
    return answer;
  }
  unsubscribe(topicFilter: string): Observable<UnsubackPacket> {
    this.log.push(`UNSUBSCRIBE ${topicFilter}`);
    return new Subject<UnsubackPacket>();
  }
  grant(index: number, code = 0): void {
    this.subacks[index].next({ type: 'suback', packetId: 1, reasonCodes: [code] });
    this.subacks[index].complete();
  }
}

describe('SubscriptionRegistry', () => {
  it('ref-counts observers per filter: one SUBSCRIBE, one UNSUBSCRIBE when the last leaves', () => {
    const requests = new FakeRequests();
    const registry = new SubscriptionRegistry<string>(requests);
    const a = registry.observe('t/#', { qos: 0 }).subscribe();
    const b = registry.observe('t/#', { qos: 0 }).subscribe();
    requests.grant(0);
    expect(registry.size).toBe(1);
    a.unsubscribe();
    expect(requests.log).toEqual(['SUBSCRIBE t/# qos=0']);
    b.unsubscribe();
    expect(requests.log).toEqual(['SUBSCRIBE t/# qos=0', 'UNSUBSCRIBE t/#']);
    expect(registry.size).toBe(0);
  });

  it('re-subscribes only for a higher QoS', () => {
    const requests = new FakeRequests();
    const registry = new SubscriptionRegistry<string>(requests);
    registry.observe('t', { qos: 1 }).subscribe();
    registry.observe('t', { qos: 0 }).subscribe();
    registry.observe('t', { qos: 2 }).subscribe();
    registry.observe('t', { qos: 1 }).subscribe();
    expect(requests.log).toEqual(['SUBSCRIBE t qos=1', 'SUBSCRIBE t qos=2']);
  });

  it('dispatches once per observer, through overlapping filters, and not to $ topics via wildcards', () => {
    const requests = new FakeRequests();
    const registry = new SubscriptionRegistry<string>(requests);
    const got: string[] = [];
    registry.observe('a/#', { qos: 0 }).subscribe((m) => got.push(`#:${m}`));
    registry.observe('a/+', { qos: 0 }).subscribe((m) => got.push(`+:${m}`));
    registry.observe('a/+', { qos: 0 }).subscribe((m) => got.push(`+2:${m}`));
    registry.observe('#', { qos: 0 }).subscribe((m) => got.push(`all:${m}`));
    registry.observe('$share/g/a/b', { qos: 0 }).subscribe((m) => got.push(`share:${m}`));
    registry.dispatch('a/b', 'm1');
    registry.dispatch('$SYS/x', 'm2');
    expect(got.sort()).toEqual(['#:m1', '+2:m1', '+:m1', 'all:m1', 'share:m1']);
  });

  it('errors every observer of a refused filter, and sends no UNSUBSCRIBE for it', () => {
    const requests = new FakeRequests();
    const registry = new SubscriptionRegistry<string>(requests);
    const errors: unknown[] = [];
    registry.observe('x', { qos: 1 }).subscribe({ error: (e) => errors.push(e) });
    registry.observe('x', { qos: 1 }).subscribe({ error: (e) => errors.push(e) });
    requests.grant(0, 0x80);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(SubscribeRefusedError);
    expect(requests.log).toEqual(['SUBSCRIBE x qos=1']);
    expect(registry.size).toBe(0);
  });

  it('unsubscribes a granted filter whose higher-QoS re-subscription was refused', () => {
    const requests = new FakeRequests();
    const registry = new SubscriptionRegistry<string>(requests);
    registry.observe('x', { qos: 0 }).subscribe({ error: () => undefined });
    requests.grant(0, 0);
    registry.observe('x', { qos: 2 }).subscribe({ error: () => undefined });
    requests.grant(1, 0x9e);
    expect(requests.log).toEqual(['SUBSCRIBE x qos=0', 'SUBSCRIBE x qos=2', 'UNSUBSCRIBE x']);
  });

  it('endAll errors (or completes) every observer and sends nothing', () => {
    const requests = new FakeRequests();
    const registry = new SubscriptionRegistry<string>(requests);
    const ends: string[] = [];
    registry.observe('a', { qos: 0 }).subscribe({ error: () => ends.push('error'), complete: () => ends.push('complete') });
    registry.endAll(new Error('gone'));
    const other = new SubscriptionRegistry<string>(requests);
    other.observe('b', { qos: 0 }).subscribe({ complete: () => ends.push('complete') });
    other.endAll();
    expect(ends).toEqual(['error', 'complete']);
    expect(requests.log).toEqual(['SUBSCRIBE a qos=0', 'SUBSCRIBE b qos=0']);
  });
});

describe('SubscriptionRegistry across connections', () => {
  it('keeps observers when a request fails because the connection is gone, and asks again on restore', () => {
    const registry = new SubscriptionRegistry<string>(); // not connected yet
    const got: string[] = [];
    const errors: unknown[] = [];
    registry.observe('a', { qos: 1 }).subscribe({ next: (m) => got.push(m), error: (e) => errors.push(e) });
    expect(errors).toEqual([]);
    const requests = new FakeRequests();
    registry.restore(true, requests); // even with a session: never granted, so asked for
    expect(requests.log).toEqual(['SUBSCRIBE a qos=1']);
    requests.grant(0);
    registry.dispatch('a', 'm');
    expect(got).toEqual(['m']);
  });

  it('restore without a session subscribes every active filter once with its options; with one, only those not granted', () => {
    const first = new FakeRequests();
    const registry = new SubscriptionRegistry<string>(first);
    const seen: Subscription[] = [];
    registry.observe('a/#', { qos: 1, noLocal: true, retainHandling: 2 }).subscribe();
    registry.observe('a/#', { qos: 0 }).subscribe();
    registry.observe('b', { qos: 2 }).subscribe();
    first.grant(0);
    registry.detach(); // 'b' still waits for its SUBACK: that request is lost with the connection
    first.subacks[1].error(new ConnectionClosedError('lost'));

    const resumed = new FakeRequests();
    registry.restore(true, resumed);
    expect(resumed.log).toEqual(['SUBSCRIBE b qos=2']);
    resumed.grant(0);

    const fresh = new FakeRequests();
    const subscribe = fresh.subscribe.bind(fresh);
    fresh.subscribe = (s: Subscription) => {
      seen.push(s);
      return subscribe(s);
    };
    registry.restore(false, fresh);
    expect(fresh.log).toEqual(['SUBSCRIBE a/# qos=1', 'SUBSCRIBE b qos=2']);
    expect(seen[0]).toMatchObject({ topicFilter: 'a/#', qos: 1, noLocal: true, retainHandling: 2 });
  });

  it('sends an UNSUBSCRIBE lost with the connection after a resumed session, not after a new one', () => {
    const first = new FakeRequests();
    const registry = new SubscriptionRegistry<string>(first);
    const sub = registry.observe('gone', { qos: 0 }).subscribe();
    first.grant(0);
    registry.detach();
    sub.unsubscribe(); // cannot be sent now
    const resumed = new FakeRequests();
    registry.restore(true, resumed);
    expect(resumed.log).toEqual(['UNSUBSCRIBE gone']);

    const again = registry.observe('gone2', { qos: 0 }).subscribe();
    resumed.grant(0);
    registry.detach();
    again.unsubscribe();
    const fresh = new FakeRequests();
    registry.restore(false, fresh);
    expect(fresh.log).toEqual([]);
  });

  it('endAll after a lost connection ends the waiting observers', () => {
    const registry = new SubscriptionRegistry<string>();
    const closed = new ConnectionClosedError('gone for good');
    const errors: unknown[] = [];
    registry.observe('a', { qos: 0 }).subscribe({ error: (e) => errors.push(e) });
    registry.endAll(closed);
    expect(errors).toEqual([closed]);
    expect(registry.size).toBe(0);
  });
});

describe('SubscriptionRegistry holding messages of a resumed session', () => {
  it('holds messages nobody matches on a resumed session and gives them to the first matching observer, in order', () => {
    const registry = new SubscriptionRegistry<string>();
    registry.restore(true, new FakeRequests());
    registry.dispatch('q/1', 'one');
    registry.dispatch('other', 'x');
    registry.dispatch('q/2', 'two');
    const got: string[] = [];
    registry.observe('q/+', { qos: 1 }).subscribe((m) => got.push(m));
    expect(got).toEqual(['one', 'two']);
    const later: string[] = [];
    registry.observe('q/#', { qos: 1 }).subscribe((m) => later.push(m));
    expect(later).toEqual([]); // handed out once
    registry.dispatch('q/3', 'three');
    expect([got, later]).toEqual([['one', 'two', 'three'], ['three']]);
  });

  it('holds nothing on a new session, and at most MAX_HELD messages', () => {
    const fresh = new SubscriptionRegistry<string>();
    fresh.restore(false, new FakeRequests());
    fresh.dispatch('q', 'lost');
    const got: string[] = [];
    fresh.observe('q', { qos: 0 }).subscribe((m) => got.push(m));
    expect(got).toEqual([]);

    const resumed = new SubscriptionRegistry<number>();
    resumed.restore(true, new FakeRequests());
    for (let i = 0; i < MAX_HELD + 5; i++) resumed.dispatch('n', i);
    const numbers: number[] = [];
    resumed.observe('n', { qos: 0 }).subscribe((m) => numbers.push(m));
    expect(numbers).toHaveLength(MAX_HELD);
    expect(numbers[0]).toBe(5); // the oldest were dropped
  });
});
