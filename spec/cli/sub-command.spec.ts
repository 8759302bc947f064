import { subCommand } from '../../lib/cli/sub-command';
import { fakeIo, refusingDeps } from './fake-io';

describe('subCommand', () => {
  it.each([
    [[], '-t/--topic: missing: give at least one topic filter'],
    [['-t', 'a', '-t', 'b/#/c'], "-t/--topic: 'b/#/c': # must be a whole level at the end of the filter [MQTT-4.7.1-2]"],
    [['-t', 'a+'], "-t/--topic: 'a+': + must be a whole level [MQTT-4.7.1-3]"],
    [['-t', 'a', '-C', '0'], "-C/--count: expected an integer >= 1, got '0'"],
    [['-t', 'a', '-W', 'x'], "-W/--timeout: expected an integer from 1 to 2147483, got 'x'"],
    [['-t', 'a', '-V', '31'], '-V/--protocol-version: MQTT 3.1 is not supported; use 311 or 5'],
    [['-t', 'a', '-P', 'pw'], '-P/--password: needs a user name (-u USER) in MQTT 3.1.1 [MQTT-3.1.2-22]'],
    [['-t', 'a', '-v', '-v'], '-v/--verbose: given more than once'],
  ])('%j: exit 2, one line on stderr, no connection attempt', async (argv, message) => {
    const { io, out, err } = fakeIo();
    const { deps, attempts } = refusingDeps();
    await expect(subCommand(argv, io, deps)).resolves.toBe(2);
    expect(err()).toBe(`rxmqtt sub: ${message} (see 'rxmqtt sub --help')\n`);
    expect(out()).toBe('');
    expect(attempts).toEqual([]);
  });

  it('prints the help even when other arguments are missing', async () => {
    const { io, out } = fakeIo();
    const { deps, attempts } = refusingDeps();
    await expect(subCommand(['-q', '1', '--help'], io, deps)).resolves.toBe(0);
    expect(out()).toMatch(/^Usage: rxmqtt sub -t FILTER/);
    expect(attempts).toEqual([]);
  });
});
