import { InvalidArgumentError } from '../../lib/errors';
import { CONNECTION_OPTIONS, connectionFromArgs } from '../../lib/cli/connection-options';
import { parseArgs } from '../../lib/cli/parse-args';

const from = (...argv: string[]) => connectionFromArgs(parseArgs(argv, CONNECTION_OPTIONS));

describe('connectionFromArgs', () => {
  it('defaults to mqtt://localhost:1883, MQTT 3.1.1, clean, keepalive 60, 10 s connect timeout', () => {
    expect(from()).toEqual({ url: 'mqtt://localhost:1883', protocolVersion: 4, keepalive: 60, clean: true, connectTimeout: 10000 });
  });

  it('builds the URL from -h and -p and maps the other options', () => {
    expect(from('-h', '10.0.0.5', '-p', '1884', '-u', 'ann', '-P', 'pw', '-i', 'me', '-V', 'mqttv5', '-k', '0', '-c', '--connect-timeout', '2')).toEqual({
      url: 'mqtt://10.0.0.5:1884',
      protocolVersion: 5,
      clientId: 'me',
      username: 'ann',
      password: 'pw',
      keepalive: 0,
      clean: false,
      connectTimeout: 2000,
    });
    expect(from('-h', '::1').url).toBe('mqtt://[::1]:1883');
  });

  it.each([['5', 5], ['mqttv5', 5], ['311', 4], ['mqttv311', 4]])('reads -V %s as protocol level %d', (raw, level) => {
    expect(from('-V', raw).protocolVersion).toBe(level);
  });

  it('takes user and password from the URL and strips them from it', () => {
    expect(from('--url', 'mqtt://ann:p%40ss@example.com:1884')).toMatchObject({ url: 'mqtt://example.com:1884', username: 'ann', password: 'p@ss' });
    expect(from('--url', 'mqtt://ann:x@example.com', '-u', 'bob', '-P', 'y')).toMatchObject({ username: 'bob', password: 'y' });
    expect(from('--url', 'ws://example.com:8080/mqtt').url).toBe('ws://example.com:8080/mqtt');
    expect(from('--url', 'mqtts://example.com:8883').url).toBe('mqtts://example.com:8883');
  });

  it.each([
    [['--url', 'mqtt://a:1', '-h', 'b'], '--url', 'give either --url or -h/-p, not both'],
    [['--url', 'not a url'], '--url', "'not a url' is not a URL (expected e.g. mqtt://localhost:1883)"],
    [['--url', 'http://example.com'], '--url', "unsupported scheme 'http:' (use mqtt:, mqtts:, ws: or wss:)"],
    [['--url', 'mqtt:example'], '--url', "'mqtt:example' has no host"],
    [['-h', 'a b'], '-h/--host', "'a b' is not a host name"],
    [['-V', '31'], '-V/--protocol-version', 'MQTT 3.1 is not supported; use 311 or 5'],
    [['-V', '6'], '-V/--protocol-version', "expected 5 or 311, got '6'"],
    [['-c'], '-c/--disable-clean-session', 'needs a client id (-i ID) so the broker can find the session again'],
    [['-P', 'secret'], '-P/--password', 'needs a user name (-u USER) in MQTT 3.1.1 [MQTT-3.1.2-22]'],
    [['-p', '0'], '-p/--port', "expected an integer from 1 to 65535, got '0'"],
  ])('rejects %j naming %s', (argv, argument, message) => {
    let error: unknown;
    try {
      from(...argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as InvalidArgumentError).message).toBe(`${argument}: ${message}`);
  });

  it('turns TLS on with --cafile/--cert/--key/--insecure, defaulting -h/-p to mqtts:// on 8883', () => {
    expect(from('-h', 'broker', '--cafile', 'ca.pem')).toMatchObject({ url: 'mqtts://broker:8883', tls: { caFile: 'ca.pem', insecure: false } });
    expect(from('-p', '9999', '--insecure')).toMatchObject({ url: 'mqtts://localhost:9999', tls: { insecure: true } });
    expect(from('--url', 'wss://b/mqtt', '--cert', 'c.pem', '--key', 'k.pem')).toMatchObject({
      url: 'wss://b/mqtt',
      tls: { certFile: 'c.pem', keyFile: 'k.pem', insecure: false },
    });
    expect(from('-h', 'b')).not.toHaveProperty('tls');
  });

  it.each([
    [['--cert', 'c.pem'], '--cert', 'needs --key FILE (the private key of the certificate)'],
    [['--key', 'k.pem'], '--key', 'needs --cert FILE (the certificate of the key)'],
    [['--url', 'mqtt://b', '--cafile', 'ca.pem'], '--url', 'TLS options need an mqtts:// or wss:// URL, not mqtt://'],
    [['--url', 'ws://b', '--insecure'], '--url', 'TLS options need an mqtts:// or wss:// URL, not ws://'],
  ])('rejects TLS options %j naming %s', (argv, argument, message) => {
    expect(() => from(...argv)).toThrow(`${argument}: ${message}`);
  });

  it('allows a password without a user name in MQTT 5', () => {
    expect(from('-V', '5', '-P', 'secret')).toMatchObject({ password: 'secret', protocolVersion: 5 });
  });
});
