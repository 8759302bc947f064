import { brokerCommand } from '../../lib/cli/broker-command';
import { demoCommand } from '../../lib/cli/demo-command';
import { fakeIo, refusingDeps } from './fake-io';

describe('demoCommand and brokerCommand arguments', () => {
  it.each([
    [demoCommand, 'demo', ['--sensors', '0'], "--sensors: expected an integer from 1 to 50, got '0'"],
    [demoCommand, 'demo', ['--interval', '5'], "--interval: expected an integer from 10 to 10000, got '5'"],
    [demoCommand, 'demo', ['--duration'], '--duration: missing value SECONDS'],
    [brokerCommand, 'broker', ['--ws-port', '-1'], "--ws-port: expected an integer from 0 to 65535, got '-1'"],
    [brokerCommand, 'broker', ['now'], 'now: unexpected argument'],
  ])('%#: %s %j exits 2 without starting anything', async (command, name, argv, message) => {
    const { io, out, err } = fakeIo();
    const { deps, attempts } = refusingDeps();
    await expect(command(argv, io, deps)).resolves.toBe(2);
    expect(err()).toBe(`rxmqtt ${name}: ${message} (see 'rxmqtt ${name} --help')\n`);
    expect(out()).toBe('');
    expect(attempts).toEqual([]);
  });

  it('reports a broker that cannot start, exit 1', async () => {
    const { io, err } = fakeIo();
    const { deps, attempts } = refusingDeps();
    await expect(demoCommand([], io, deps)).resolves.toBe(1);
    expect(attempts).toEqual(['broker 0']);
    expect(err()).toBe('rxmqtt demo: cannot start the broker: no network in this test\n');
  });
});
