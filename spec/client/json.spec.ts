import { firstValueFrom, lastValueFrom, of, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { json, jsonPayload } from '../../lib/client/json.js';
import { ReceivedMessage, type MqttMessage } from '../../lib/client/mqtt-message.js';
import { InvalidArgumentError, PayloadError } from '../../lib/errors.js';

const message = (topic: string, payload: string | Uint8Array): MqttMessage =>
  new ReceivedMessage({ type: 'publish', topic, payload: typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, qos: 1, retain: false, dup: false });

interface Reading {
  readonly celsius: number;
}
const isReading = (v: unknown): v is Reading => typeof (v as Reading | null)?.celsius === 'number';

describe('json()', () => {
  it('emits each message with its parsed value, keeping the message fields', async () => {
    const [m] = await lastValueFrom(of(message('s/kitchen', '{"celsius":21.5}')).pipe(json(isReading), toArray()));
    expect(m?.value).toEqual({ celsius: 21.5 });
    expect(m?.value.celsius).toBe(21.5); // narrowed by the guard
    expect([m?.topic, m?.qos, m?.text()]).toEqual(['s/kitchen', 1, '{"celsius":21.5}']);
  });

  it('errors with PAYLOAD_INVALID_JSON for bytes that are not UTF-8 JSON, naming the topic', async () => {
    await expect(firstValueFrom(of(message('s/a', '{nope')).pipe(json()))).rejects.toMatchObject({ name: 'PayloadError', code: 'PAYLOAD_INVALID_JSON', topic: 's/a' });
    const notUtf8 = message('s/b', Uint8Array.from([0x22, 0xff, 0x22]));
    await expect(firstValueFrom(of(notUtf8).pipe(json()))).rejects.toMatchObject({ code: 'PAYLOAD_INVALID_JSON', topic: 's/b' });
  });

  it('errors with PAYLOAD_REJECTED when the guard refuses the value', async () => {
    const error = await firstValueFrom(of(message('s/c', '{"fahrenheit":70}')).pipe(json(isReading))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadError);
    expect(error).toMatchObject({ code: 'PAYLOAD_REJECTED', topic: 's/c' });
  });

  it("with invalid: 'skip' drops bad messages, reports them to onInvalid, and goes on (marbles)", () => {
    const reported: string[] = [];
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const good = message('s/1', '{"celsius":1}');
      const bad = message('s/2', 'x');
      const refused = message('s/3', '{"celsius":"warm"}');
      const out = cold('a-b-c-d|', { a: good, b: bad, c: refused, d: good }).pipe(
        json(isReading, { invalid: 'skip', onInvalid: (e) => reported.push(`${e.code} ${e.topic}`) }),
      );
      expectObservable(out).toBe('a-----d|', { a: expect.objectContaining({ topic: 's/1', value: { celsius: 1 } }), d: expect.objectContaining({ topic: 's/1' }) });
    });
    expect(reported).toEqual(['PAYLOAD_INVALID_JSON s/2', 'PAYLOAD_REJECTED s/3']);
  });

  it('stops at the first invalid payload by default, with the earlier messages delivered (marbles)', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c|', { a: message('t', '1'), b: message('t', 'x'), c: message('t', '3') });
      expectObservable(source.pipe(json())).toBe('a-#', { a: expect.objectContaining({ value: 1 }) }, expect.objectContaining({ code: 'PAYLOAD_INVALID_JSON' }));
      // The error unsubscribes from the source (for a subscription: UNSUBSCRIBE when it was the last observer).
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it("acknowledges a skipped message of a manual subscription, so later acks are not held back", async () => {
    const acked: string[] = [];
    const manual = (topic: string, payload: string) => Object.assign(message(topic, payload), { ack: () => acked.push(topic) });
    const out = await lastValueFrom(of(manual('m/1', '{"celsius":1}'), manual('m/2', 'broken'), manual('m/3', '{"x":1}')).pipe(json(isReading, { invalid: 'skip' }), toArray()));
    expect(out.map((m) => m.topic)).toEqual(['m/1']);
    expect(acked).toEqual(['m/2', 'm/3']); // the kept one is acked by the app, not by json()
  });

  it('refuses invalid arguments at once', () => {
    expect(() => json('x' as never)).toThrow(InvalidArgumentError);
    expect(() => json(undefined, { invalid: 'ignore' as never })).toThrow(/options.invalid/);
    expect(() => json(undefined, { onInvalid: 1 as never })).toThrow(/onInvalid/);
  });
});

describe('jsonPayload()', () => {
  it('encodes a value as UTF-8 JSON', () => {
    expect(new TextDecoder().decode(jsonPayload({ celsius: 21.5, room: 'küche' }))).toBe('{"celsius":21.5,"room":"küche"}');
  });

  it('refuses values JSON cannot write, with InvalidArgumentError', () => {
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    expect(() => jsonPayload(cycle)).toThrow(InvalidArgumentError);
    expect(() => jsonPayload(10n)).toThrow(/cannot be written as JSON/);
    expect(() => jsonPayload(undefined)).toThrow(/undefined/);
    expect(() => jsonPayload(() => 1)).toThrow(/function/);
  });
});
