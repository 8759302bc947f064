/**
 * `rxmqtt pub` and `rxmqtt sub` as real processes against private Mosquitto brokers, with
 * Mosquitto's own clients on the other side.
 */
import { describeWithMosquitto, type MosquittoInstance, startMosquitto } from '../helpers/mosquitto';
import { mosquittoPub, mosquittoSub } from '../helpers/mosquitto-clients';
import { generateTlsFixtures, type TlsFixtures } from '../helpers/tls';
import { killAll, requireBuild, run, start, uniqueTopic } from './cli-process';

describeWithMosquitto('rxmqtt pub/sub with Mosquitto', () => {
  let mosquitto: MosquittoInstance;
  beforeAll(async () => {
    requireBuild();
    mosquitto = await startMosquitto();
  });
  afterAll(async () => {
    killAll();
    await mosquitto?.dispose();
  });
  afterEach(killAll);

  it.each([['311'], ['5']])('delivers rxmqtt pub -> rxmqtt sub -C 2 -v (MQTT %s)', async (version) => {
    const topic = uniqueTopic(`pub-sub-${version}`);
    // A retained first message proves the subscription is in place when it is printed.
    expect((await run(['pub', '--url', mosquitto.url, '-t', topic, '-m', 'first', '-r', '-q', '1', '-V', version])).code).toBe(0);
    const sub = start(['sub', '--url', mosquitto.url, '-t', topic, '-v', '-C', '2', '-q', '2', '-V', version]);
    await sub.waitFor(/ first\n/);
    expect((await run(['pub', '--url', mosquitto.url, '-t', topic, '-m', 'second', '-q', '2', '-V', version])).code).toBe(0);
    expect(await sub.exited).toMatchObject({ code: 0, stdout: `${topic} first\n${topic} second\n`, stderr: '' });
  });

  it('publishes to mosquitto_sub with the QoS and retain flag asked for', async () => {
    const topic = uniqueTopic('to-mosquitto-sub');
    const sub = mosquittoSub({ host: mosquitto.host, port: mosquitto.port, topic, qos: 2, count: 3 });
    await sub.subscribed;
    for (const qos of ['0', '1', '2']) {
      const r = await run(['pub', '-h', mosquitto.host, '-p', String(mosquitto.port), '-t', topic, '-m', `at qos ${qos}`, '-q', qos]);
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
    }
    const messages = await sub.messages;
    expect(messages.map((m) => [m.payload.toString(), m.qos])).toEqual([['at qos 0', 0], ['at qos 1', 1], ['at qos 2', 2]]);

    // A retained message reaches a later subscriber with the retain flag set; -n -r clears it.
    expect((await run(['pub', '--url', mosquitto.url, '-t', topic, '-m', 'kept', '-r', '-q', '1'])).code).toBe(0);
    const later = mosquittoSub({ host: mosquitto.host, port: mosquitto.port, topic, count: 1 });
    expect((await later.messages).map((m) => [m.payload.toString(), m.retain])).toEqual([['kept', true]]);
    expect((await run(['pub', '--url', mosquitto.url, '-t', topic, '-n', '-r'])).code).toBe(0);
    const cleared = await run(['sub', '--url', mosquitto.url, '-t', topic, '-W', '1']);
    expect(cleared).toMatchObject({ code: 27, stdout: '' });
  });

  it('prints what mosquitto_pub sends', async () => {
    const topic = uniqueTopic('from-mosquitto-pub');
    await mosquittoPub({ host: mosquitto.host, port: mosquitto.port, topic: `${topic}/a`, payload: 'ready', retain: true, qos: 1 });
    const sub = start(['sub', '--url', mosquitto.url, '-t', `${topic}/+`, '-C', '3', '-v', '-q', '1']);
    await sub.waitFor(/\/a ready\n/);
    await mosquittoPub({ host: mosquitto.host, port: mosquitto.port, topic: `${topic}/b`, payload: Buffer.from('{"celsius": 21.5}'), qos: 1 });
    await mosquittoPub({ host: mosquitto.host, port: mosquitto.port, topic: `${topic}/c`, payload: '', qos: 2, protocolVersion: 5 });
    const done = await sub.exited;
    expect(done).toMatchObject({ code: 0, stderr: '' });
    expect(done.stdout).toBe(`${topic}/a ready\n${topic}/b {"celsius": 21.5}\n${topic}/c (null)\n`);
  });
});

describeWithMosquitto('rxmqtt sub across a Mosquitto restart', () => {
  let mosquitto: MosquittoInstance;
  beforeAll(async () => {
    requireBuild();
    mosquitto = await startMosquitto();
  });
  afterAll(async () => {
    killAll();
    await mosquitto?.dispose();
  });

  it('keeps running: reports the reconnect on stderr, subscribes again and prints what comes after', async () => {
    const topic = uniqueTopic('restart');
    // Retained messages reach the subscription whenever it is (re)made, so no ordering race.
    expect((await run(['pub', '--url', mosquitto.url, '-t', topic, '-m', 'before', '-r', '-q', '1'])).code).toBe(0);
    const sub = start(['sub', '--url', mosquitto.url, '-t', topic, '-v', '-C', '2', '-q', '1'], { timeoutMs: 30000 });
    await sub.waitFor(/ before\n/);
    await mosquitto.restart(); // no persistence: the retained 'before' is gone with the old process
    await sub.waitFor(/reconnecting in \d+ ms \(attempt 1\)/, 'stderr');
    expect((await run(['pub', '--url', mosquitto.url, '-t', topic, '-m', 'after', '-r', '-q', '1'])).code).toBe(0);
    const done = await sub.exited;
    expect(done).toMatchObject({ code: 0, stdout: `${topic} before\n${topic} after\n` });
    expect(done.stderr).toMatch(/^rxmqtt sub: connection lost \(.+\), reconnecting in \d+ ms \(attempt 1\)\n/);
  });

  it('rxmqtt pub fails fast (exit 1) when the broker is down', async () => {
    await mosquitto.stop();
    try {
      const r = await run(['pub', '--url', mosquitto.url, '-t', uniqueTopic('down'), '-m', 'x', '-q', '1']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot connect to/);
    } finally {
      await mosquitto.restart();
    }
  });
});

describeWithMosquitto('rxmqtt pub/sub with a Mosquitto that needs a password', () => {
  let mosquitto: MosquittoInstance;
  beforeAll(async () => {
    requireBuild();
    mosquitto = await startMosquitto({ users: { ann: 'secret' } });
  });
  afterAll(async () => {
    killAll();
    await mosquitto?.dispose();
  });

  it('connects with -u/-P and with credentials in the URL', async () => {
    const topic = uniqueTopic('auth');
    const pub = await run(['pub', '-h', mosquitto.host, '-p', String(mosquitto.port), '-u', 'ann', '-P', 'secret', '-t', topic, '-m', 'let in', '-r', '-q', '1']);
    expect(pub).toMatchObject({ code: 0, stderr: '' });
    const sub = await run(['sub', '--url', `mqtt://ann:secret@${mosquitto.host}:${mosquitto.port}`, '-t', topic, '-C', '1']);
    expect(sub).toMatchObject({ code: 0, stdout: 'let in\n', stderr: '' });
  });

  it.each([[['-u', 'ann', '-P', 'wrong']], [[]]])('exits 1 with one line when refused (%j)', async (credentials) => {
    const r = await run(['sub', '-h', mosquitto.host, '-p', String(mosquitto.port), ...credentials, '-t', 'a']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^rxmqtt sub: cannot connect to mqtt://127\\.0\\.0\\.1:${mosquitto.port}: .+\\n$`));
    expect(r.stdout).toBe('');
  });
});

describeWithMosquitto('rxmqtt pub/sub over TLS with Mosquitto', () => {
  let mosquitto: MosquittoInstance;
  let tls: TlsFixtures;
  beforeAll(async () => {
    requireBuild();
    tls = generateTlsFixtures();
    mosquitto = await startMosquitto({ tls: { cafile: tls.ca.path, certfile: tls.serverCert.path, keyfile: tls.serverKey.path } });
  });
  afterAll(async () => {
    killAll();
    await mosquitto?.dispose();
    tls?.dispose();
  });

  it('verifies the broker with --cafile, over --url mqtts:// and over -h/-p', async () => {
    const topic = uniqueTopic('tls');
    const pub = await run(['pub', '--url', mosquitto.tlsUrl!, '--cafile', tls.ca.path, '-t', topic, '-m', 'secret', '-r', '-q', '1']);
    expect(pub).toMatchObject({ code: 0, stderr: '' });
    const sub = await run(['sub', '-h', '127.0.0.1', '-p', String(mosquitto.tlsPort), '--cafile', tls.ca.path, '-t', topic, '-C', '1', '-d']);
    expect(sub).toMatchObject({ code: 0, stdout: 'secret\n' });
    expect(sub.stderr).toContain(`connecting to mqtts://127.0.0.1:${mosquitto.tlsPort}`);
  });

  it('refuses a broker certificate it cannot verify (exit 1), unless --insecure', async () => {
    const topic = uniqueTopic('tls-verify');
    const wrongCa = await run(['pub', '--url', mosquitto.tlsUrl!, '--cafile', tls.otherCa.path, '-t', topic, '-m', 'x']);
    expect(wrongCa.code).toBe(1);
    expect(wrongCa.stderr).toMatch(/^rxmqtt pub: cannot connect to mqtts:\/\/127\.0\.0\.1:\d+: .+\n$/);
    const insecure = await run(['pub', '--url', mosquitto.tlsUrl!, '--insecure', '-t', topic, '-m', 'x']);
    expect(insecure).toMatchObject({ code: 0, stderr: '' });
  });
});
