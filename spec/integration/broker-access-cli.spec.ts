/**
 * Access control through the real command: `rxmqtt broker --password-file --acl-file`, with a
 * password file made by mosquitto_passwd, and rxmqtt clients over 5.0 and 3.1.1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, timeout } from 'rxjs';
import { connectAsync } from '../../lib/node/index.js';
import type { MqttClient } from '../../lib/client/mqtt-client.js';
import { ConnectRefusedError, PublishFailedError, SubscribeRefusedError } from '../../lib/errors.js';
import { killAll, requireBuild, run, startBrokerProcess, type CliChild } from '../cli/cli-process';
import { describeWithMosquitto } from '../helpers/mosquitto.js';

jest.setTimeout(60_000);

describeWithMosquitto('rxmqtt broker --password-file --acl-file', () => {
  let dir: string;
  let broker: CliChild;
  let url: string;
  const clients: MqttClient[] = [];
  const login = async (username: string | undefined, password: string | undefined, protocolVersion: 4 | 5): Promise<MqttClient> => {
    const c = await connectAsync(url, { protocolVersion, reconnect: false, ...(username === undefined ? {} : { username }), ...(password === undefined ? {} : { password }) });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'rxmqtt-access-'));
    const passwd = join(dir, 'passwd');
    for (const [user, password] of [['alice', 'alice-pw'], ['bob', 'bob-pw']]) {
      const r = spawnSync('mosquitto_passwd', [...(user === 'alice' ? ['-c'] : []), '-b', passwd, user!, password!], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    }
    writeFileSync(join(dir, 'acl'), 'topic read public/#\n\nuser alice\ntopic readwrite home/#\n\nuser bob\ntopic read home/#\n\npattern write status/%u\n');
    ({ broker, url } = await startBrokerProcess(['--password-file', passwd, '--acl-file', join(dir, 'acl'), '--allow-anonymous', '--verbose']));
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.disconnect({ timeout: 0 })));
    broker?.child.kill('SIGTERM');
    await broker?.exited.catch(() => undefined);
    killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([[5, '5'], [4, '3.1.1']] as const)('refuses a wrong password over protocol level %s (MQTT %s) (0x86 / 0x04)', async (v, _name) => {
    const error = await login('alice', 'nope', v).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectRefusedError);
    expect((error as ConnectRefusedError).reasonCode).toBe(v === 5 ? 0x86 : 0x04);
  });

  it('lets alice read and write home/#, and bob only read it', async () => {
    const alice = await login('alice', 'alice-pw', 5);
    const bob = await login('bob', 'bob-pw', 5);
    const got = firstValueFrom(bob.subscribe('home/#', { qos: 1 }).pipe(timeout(10_000)));
    await bob.publishAsync('status/bob', 'online', { qos: 1 }); // allowed by the %u pattern; the subscription is in force after it
    await alice.publishAsync('home/kitchen', 'light on', { qos: 1 });
    expect((await got).text()).toBe('light on');
    const refused = await bob.publishAsync('home/kitchen', 'off', { qos: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PublishFailedError);
    expect((refused as PublishFailedError).reasonCode).toBe(0x87);
  });

  it.each([[5, '5'], [4, '3.1.1']] as const)('refuses a subscription outside the rules over protocol level %s (MQTT %s) (0x87 / 0x80)', async (v, _name) => {
    const anon = await login(undefined, undefined, v);
    const error = await firstValueFrom(anon.subscribe('home/#', { qos: 1 }).pipe(timeout(10_000))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscribeRefusedError);
    expect((error as SubscribeRefusedError).reasonCode).toBe(v === 5 ? 0x87 : 0x80);
  });

  it('acknowledges and drops a refused 3.1.1 PUBLISH, and logs the drop [MQTT-3.3.5-2]', async () => {
    const bob = await login('bob', 'bob-pw', 4);
    await bob.publishAsync('home/kitchen', 'sneaky', { qos: 1 }); // PUBACK: 3.1.1 cannot refuse it on the wire
    await broker.waitFor(/dropped 1 message\(s\) from '[^']+' \(publish not authorized/, 'stderr');
  });

  it('fails to start with a clear message for a plain-text password file', async () => {
    const plain = join(dir, 'plain');
    writeFileSync(plain, 'alice:alice-pw\n');
    const result = await run(['broker', '--port', '0', '--password-file', plain]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/line 1: the password is not hashed/);
  });
});
