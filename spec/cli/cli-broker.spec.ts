/**
 * `rxmqtt broker`, `rxmqtt sub` and `rxmqtt pub` as real processes talking over loopback TCP, with
 * Mosquitto's own clients as an independent peer.
 */
import { mosquittoPub, mosquittoSub } from '../helpers/mosquitto-clients';
import { CLI, type CliChild, killAll, requireBuild, run, start, startBrokerProcess, uniqueTopic } from './cli-process';

beforeAll(requireBuild);

describe('rxmqtt broker', () => {
  let broker: CliChild;
  let url: string;
  let port: number;
  beforeAll(async () => {
    ({ broker, url, port } = await startBrokerProcess(['--verbose']));
  });
  afterAll(async () => {
    broker.child.kill('SIGTERM');
    await broker.exited.catch(() => undefined);
    killAll();
  });

  it('prints only its URL on stdout', () => {
    expect(broker.stdout()).toBe(`listening on ${url}\n`);
  });

  it('delivers from rxmqtt pub to rxmqtt sub -C 2 -v, then sub exits 0', async () => {
    const topic = uniqueTopic('pub-sub');
    // A retained first message proves the subscription is in place when it is printed.
    expect((await run(['pub', '--url', url, '-t', topic, '-m', 'first', '-q', '1', '-r'])).code).toBe(0);
    const sub = start(['sub', '--url', url, '-t', topic, '-C', '2', '-v', '-q', '1']);
    await sub.waitFor(/ first\n/);
    const pub = await run(['pub', '--url', url, '-t', topic, '-m', 'second message', '-q', '2']);
    expect(pub).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const done = await sub.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(`${topic} first\n${topic} second message\n`);
    expect(done.stderr).toBe('');
  });

  it('logs connections, subscriptions and messages with --verbose on stderr', async () => {
    const topic = uniqueTopic('verbose');
    expect((await run(['pub', '--url', url, '-t', topic, '-m', 'logged', '-i', 'verbose-pub'])).code).toBe(0);
    await broker.waitFor(new RegExp(`'verbose-pub' published to '${topic}' \\(QoS 0, 6 bytes\\): logged`), 'stderr');
    await broker.waitFor(/client 'verbose-pub' disconnected/, 'stderr');
    expect(broker.stderr()).toMatch(/client 'verbose-pub' connected \(MQTT 3\.1\.1\)/);
  });

  it('sends every line of stdin with pub -l, in order, at QoS 1 and MQTT 5', async () => {
    const topic = uniqueTopic('lines');
    const sub = mosquittoSub({ host: '127.0.0.1', port, topic, qos: 1, count: 3 });
    await sub.subscribed;
    const pub = await run(['pub', '--url', url, '-t', topic, '-l', '-q', '1', '-V', '5'], { input: 'one\ntwo\r\n\nthree' });
    expect(pub.code).toBe(0);
    expect((await sub.messages).map((m) => m.payload.toString())).toEqual(['one', 'two', 'three']);
  });

  it('sends stdin byte for byte with pub -s', async () => {
    const topic = uniqueTopic('stdin');
    const payload = Buffer.from([0, 1, 2, 0xff, 0x0a, 0x0d, 0x80]);
    const sub = mosquittoSub({ host: '127.0.0.1', port, topic, count: 1 });
    await sub.subscribed;
    expect((await run(['pub', '-h', '127.0.0.1', '-p', String(port), '-t', topic, '-s'], { input: payload })).code).toBe(0);
    expect((await sub.messages)[0]!.payload).toEqual(payload);
  });

  it('prints what mosquitto_pub sends, payload only and byte for byte', async () => {
    const topic = uniqueTopic('mosquitto-pub');
    await mosquittoPub({ host: '127.0.0.1', port, topic: `${topic}/a`, payload: 'retained', retain: true, qos: 1 });
    const sub = start(['sub', '--url', url, '-t', `${topic}/#`, '-C', '3', '-q', '2']);
    await sub.waitFor(/^retained\n/);
    await mosquittoPub({ host: '127.0.0.1', port, topic: `${topic}/b`, payload: Buffer.from([0xc3, 0xa9, 0x20, 0x00, 0x41]), qos: 2 });
    await mosquittoPub({ host: '127.0.0.1', port, topic: `${topic}/c/d`, payload: '', qos: 0 });
    const done = await sub.exited;
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('retained\né \u0000A\n\n');
  });

  it('skips retained messages with -R', async () => {
    const topic = uniqueTopic('no-retained');
    const id = `no-retained-${process.pid}`;
    expect((await run(['pub', '--url', url, '-t', topic, '-m', 'stale', '-r'])).code).toBe(0);
    const sub = start(['sub', '--url', url, '-t', topic, '-R', '-C', '1', '-i', id]);
    // The broker's log says when the subscription is in place (and the stale message went out).
    await broker.waitFor(new RegExp(`'${id}' subscribed to '${topic}'`), 'stderr');
    expect((await run(['pub', '--url', url, '-t', topic, '-m', 'fresh'])).code).toBe(0);
    expect(await sub.exited).toMatchObject({ code: 0, stdout: 'fresh\n', stderr: '' });
  });

  it('unsubscribes, disconnects and exits 0 on SIGINT', async () => {
    const topic = uniqueTopic('sigint');
    const id = `sigint-${process.pid}`;
    const sub = start(['sub', '--url', url, '-t', topic, '-i', id]);
    await broker.waitFor(new RegExp(`'${id}' subscribed to '${topic}'`), 'stderr');
    sub.child.kill('SIGINT');
    expect(await sub.exited).toMatchObject({ code: 0, stdout: '', stderr: '' });
    await broker.waitFor(new RegExp(`'${id}' unsubscribed from '${topic}'\n(.*\n)*client '${id}' disconnected\n`), 'stderr');
  });

  it('pub -l stops reading on SIGINT, disconnects and exits 0', async () => {
    const topic = uniqueTopic('pub-sigint');
    const id = `pub-sigint-${process.pid}`;
    const pub = start(['pub', '--url', url, '-t', topic, '-l', '-q', '1', '-i', id], { keepStdinOpen: true });
    pub.child.stdin!.write('first line\n');
    await broker.waitFor(new RegExp(`'${id}' published to '${topic}' \\(QoS 1, 10 bytes\\): first line`), 'stderr');
    pub.child.kill('SIGINT');
    expect(await pub.exited).toMatchObject({ code: 0, stdout: '', stderr: '' });
    await broker.waitFor(new RegExp(`client '${id}' disconnected\n`), 'stderr');
  });

  it('exits 27 with -W when nothing arrives in time', async () => {
    const r = await run(['sub', '--url', url, '-t', uniqueTopic('quiet'), '-W', '1']);
    expect(r.code).toBe(27);
    expect(r.stderr).toBe('rxmqtt sub: timed out after 1 s\n');
    expect(r.stdout).toBe('');
  });

  it('leaves quietly with exit 0 when its reader goes away (| head -n 1)', async () => {
    const topic = uniqueTopic('epipe');
    expect((await run(['pub', '--url', url, '-t', topic, '-m', 'one', '-r'])).code).toBe(0);
    const pipeline = start(['-o', 'pipefail', '-c', `'${process.execPath}' '${CLI}' sub --url ${url} -t ${topic} -v | head -n 1`], { command: ['bash'] });
    await pipeline.waitFor(/ one\n/);
    // head has what it wants and exits; keep publishing until sub notices the closed pipe.
    const feeder = start(['pub', '--url', url, '-t', topic, '-l'], { timeoutMs: 20000, keepStdinOpen: true });
    const timer = setInterval(() => feeder.child.stdin?.write('more\n'), 50);
    try {
      const done = await pipeline.exited;
      expect(done.code).toBe(0);
      expect(done.stdout).toBe(`${topic} one\n`);
      expect(done.stderr).toBe('');
    } finally {
      clearInterval(timer);
      feeder.child.stdin?.end();
    }
    expect((await feeder.exited).code).toBe(0);
  });

  it('exits 1 with one line when its port is taken', async () => {
    const r = await run(['broker', '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^rxmqtt broker: cannot listen on 127\\.0\\.0\\.1:${port}: .+\\n$`));
    expect(r.stdout).toBe('');
  });

  it('closes and exits 0 on SIGTERM', async () => {
    const other = await startBrokerProcess();
    const sub = start(['sub', '--url', other.url, '-t', uniqueTopic('shutdown'), '-d']);
    await sub.waitFor(/subscribing/, 'stderr');
    other.broker.child.kill('SIGTERM');
    const done = await other.broker.exited;
    expect(done.code).toBe(0);
    expect(done.stderr).toBe('rxmqtt broker: SIGTERM, closing\n');
    // The subscriber reports the lost connection on stderr and keeps trying, rather than exiting or hanging silently.
    await sub.waitFor(/connection lost \(.+\), reconnecting in \d+ ms \(attempt 1\)/, 'stderr');
    expect(sub.child.exitCode).toBeNull();
    sub.child.kill('SIGINT');
    const subDone = await sub.exited;
    expect(subDone.code).toBe(0);
    const problems = subDone.stderr.split('\n').filter((l) => l !== '' && !/^rxmqtt sub: (connecting|connected|subscribing|disconnecting|disconnected|interrupted|sent |received )/.test(l));
    expect(problems).toEqual([expect.stringMatching(/^rxmqtt sub: connection lost \(.+\), reconnecting in \d+ ms \(attempt 1\)$/)]);
    expect(subDone.stdout).toBe('');
  });
});

describe('rxmqtt broker --ws-port', () => {
  afterAll(killAll);

  it('prints both URLs and carries messages between WebSocket and TCP clients', async () => {
    const { broker, url } = await startBrokerProcess(['--ws-port', '0']);
    try {
      const [, wsUrl] = await broker.waitFor(/listening on (ws:\/\/127\.0\.0\.1:\d+\S*)\n/);
      expect(broker.stdout()).toBe(`listening on ${url}\nlistening on ${wsUrl}\n`);
      const topic = uniqueTopic('ws');
      expect((await run(['pub', '--url', wsUrl!, '-t', topic, '-m', 'over ws', '-r', '-q', '1'])).code).toBe(0);
      expect(await run(['sub', '--url', url, '-t', topic, '-C', '1'])).toMatchObject({ code: 0, stdout: 'over ws\n' });
      expect(await run(['sub', '--url', wsUrl!, '-t', topic, '-C', '1', '-V', '5'])).toMatchObject({ code: 0, stdout: 'over ws\n' });
    } finally {
      broker.child.kill('SIGTERM');
      await broker.exited.catch(() => undefined);
    }
  });
});
