import { firstValueFrom, take, toArray } from 'rxjs';
import { json } from '../../lib/client/json.js';
import { topicPattern } from '../../lib/session/topic-pattern.js';
import { closeScriptedClients, connectedPair } from '../helpers/scripted-client.js';

afterEach(closeScriptedClients);

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('client.subscribe(topicPattern)', () => {
  it("subscribes to the pattern's filter and delivers messages carrying typed params", async () => {
    const { client, server } = await connectedPair();
    const readings = topicPattern('devices/:id/sensors/:kind');
    const got = firstValueFrom(client.subscribe(readings, { qos: 1 }).pipe(take(2), toArray()));
    const sub = await server.expect('subscribe');
    expect(sub.subscriptions).toEqual([expect.objectContaining({ topicFilter: 'devices/+/sensors/+', qos: 1 })]);
    server.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [1] });
    server.send({ type: 'publish', topic: 'devices/d7/sensors/temperature', payload: bytes('21.5'), qos: 1, packetId: 3, retain: false, dup: false });
    server.send({ type: 'publish', topic: 'devices/d8/sensors/humidity', payload: bytes('40'), qos: 0, retain: false, dup: false });
    const [a, b] = await got;
    const id: string | undefined = a?.params.id; // typed from the pattern's literal
    expect([id, a?.params.kind, a?.topic, a?.text(), a?.qos]).toEqual(['d7', 'temperature', 'devices/d7/sensors/temperature', '21.5', 1]);
    expect(b?.params).toEqual({ id: 'd8', kind: 'humidity' });
    expect(await server.expect('puback')).toEqual({ type: 'puback', packetId: 3 });
  });

  it('shares the filter with plain observers (one SUBSCRIBE), which see params undefined', async () => {
    const { client, server } = await connectedPair();
    const pattern = topicPattern('rooms/:room');
    const viaPattern = firstValueFrom(client.subscribe(pattern));
    const sub = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [0] });
    const plain = firstValueFrom(client.subscribe('rooms/+'));
    server.send({ type: 'publish', topic: 'rooms/kitchen', payload: bytes('{"celsius":21}'), qos: 0, retain: false, dup: false });
    expect((await viaPattern).params).toEqual({ room: 'kitchen' });
    expect((await plain).params).toBeUndefined();
  });

  it('composes with json(): value and params together', async () => {
    const { client, server } = await connectedPair();
    const got = firstValueFrom(client.subscribe(topicPattern('rooms/:room')).pipe(json<{ celsius: number }>()));
    const sub = await server.expect('subscribe');
    server.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [0] });
    server.send({ type: 'publish', topic: 'rooms/hall', payload: bytes('{"celsius":19}'), qos: 0, retain: false, dup: false });
    const m = await got;
    expect([m.params.room, m.value.celsius, m.topic]).toEqual(['hall', 19, 'rooms/hall']);
  });
});
