import { pubCommand } from '../../lib/cli/pub-command';
import { fakeIo, refusingDeps } from './fake-io';

describe('pubCommand', () => {
  it.each([
    [['-m', 'x'], "-t/--topic: missing: give the topic to publish to"],
    [['-t', 'a'], '-m/--message: no message given: use one of -m MESSAGE, -s, -l, -n or -f FILE'],
    [['-t', 'a/+', '-m', 'x'], "-t/--topic: 'a/+' contains a wildcard (+ or #); publish needs a plain topic name [MQTT-3.3.2-2]"],
    [['-t', '', '-m', 'x'], '-t/--topic: must not be empty [MQTT-4.7.3-1]'],
    [['-t', 'a', '-m', 'x', '-n'], '--null-message: cannot be combined with --message: give exactly one message source'],
    [['-t', 'a', '-s', '-l'], '--stdin-line: cannot be combined with --stdin-file: give exactly one message source'],
    [['-t', 'a', '-m', 'x', '-q', '3'], "-q/--qos: expected 0, 1 or 2, got '3'"],
    [['-t', 'a', '-m', 'x', '--url', 'nonsense'], "--url: 'nonsense' is not a URL (expected e.g. mqtt://localhost:1883)"],
    [['-t', 'a', '-m', 'x', '--url', 'mqtt://h:1', '-p', '2'], '--url: give either --url or -h/-p, not both'],
    [['-t', 'a', '-m', 'x', '-c'], '-c/--disable-clean-session: needs a client id (-i ID) so the broker can find the session again'],
    [['-t', 'a', '-m', 'x', 'extra'], 'extra: unexpected argument'],
  ])('%j: exit 2, one line on stderr, no connection attempt', async (argv, message) => {
    const { io, out, err } = fakeIo();
    const { deps, attempts } = refusingDeps();
    await expect(pubCommand(argv, io, deps)).resolves.toBe(2);
    expect(err()).toBe(`rxmqtt pub: ${message} (see 'rxmqtt pub --help')\n`);
    expect(out()).toBe('');
    expect(attempts).toEqual([]);
  });

  it('reports a missing -f file before connecting, exit 1', async () => {
    const { io, err } = fakeIo();
    const { deps, attempts } = refusingDeps();
    await expect(pubCommand(['-t', 'a', '-f', '/nonexistent/rxmqtt-test-file'], io, deps)).resolves.toBe(1);
    expect(err()).toMatch(/^rxmqtt pub: cannot read the message: .*ENOENT.*\n$/);
    expect(attempts).toEqual([]);
  });

  it('reports a failed connection with the URL, exit 1', async () => {
    const { io, err } = fakeIo();
    const { deps, attempts } = refusingDeps();
    await expect(pubCommand(['-t', 'a', '-m', 'x', '-h', 'example.invalid', '-p', '1884'], io, deps)).resolves.toBe(1);
    expect(attempts).toEqual(['connect mqtt://example.invalid:1884']);
    expect(err()).toBe('rxmqtt pub: cannot connect to mqtt://example.invalid:1884: no network in this test\n');
  });
});
