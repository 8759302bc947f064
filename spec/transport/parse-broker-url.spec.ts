import fc from 'fast-check';
import { InvalidArgumentError } from '../../lib/errors.js';
import { parseBrokerUrl } from '../../lib/transport/parse-broker-url.js';

describe('parseBrokerUrl', () => {
  it.each([
    ['mqtt://localhost', { protocol: 'tcp', host: 'localhost', port: 1883 }],
    ['tcp://10.0.0.1:1884', { protocol: 'tcp', host: '10.0.0.1', port: 1884 }],
    ['MQTT://Broker.Example.com', { protocol: 'tcp', host: 'broker.example.com', port: 1883 }],
    ['mqtts://broker.example.com', { protocol: 'tls', host: 'broker.example.com', port: 8883 }],
    ['ssl://broker.example.com:9883', { protocol: 'tls', host: 'broker.example.com', port: 9883 }],
    ['tls://127.0.0.1', { protocol: 'tls', host: '127.0.0.1', port: 8883 }],
    ['mqtt://[::1]:1883', { protocol: 'tcp', host: '::1', port: 1883 }],
    ['mqtt://localhost:1883/ignored?clientId=x', { protocol: 'tcp', host: 'localhost', port: 1883 }],
  ])('%s', (url, expected) => {
    expect(parseBrokerUrl(url)).toEqual(expected);
  });

  it.each([
    ['ws://localhost', { protocol: 'ws', host: 'localhost', port: 80, path: '/', url: 'ws://localhost:80/' }],
    ['ws://localhost:9001', { protocol: 'ws', host: 'localhost', port: 9001, path: '/', url: 'ws://localhost:9001/' }],
    ['wss://broker.example.com/mqtt', { protocol: 'wss', host: 'broker.example.com', port: 443, path: '/mqtt', url: 'wss://broker.example.com:443/mqtt' }],
    ['ws://[::1]:8080/a/b?x=1#f', { protocol: 'ws', host: '::1', port: 8080, path: '/a/b', url: 'ws://[::1]:8080/a/b' }],
  ])('%s keeps the path', (url, expected) => {
    expect(parseBrokerUrl(url)).toEqual(expected);
  });

  it('takes percent-decoded credentials from the URL', () => {
    expect(parseBrokerUrl('mqtt://alice:s3cr%40t@localhost')).toEqual({
      protocol: 'tcp', host: 'localhost', port: 1883, username: 'alice', password: 's3cr@t',
    });
    expect(parseBrokerUrl('mqtt://bob@localhost')).toEqual({ protocol: 'tcp', host: 'localhost', port: 1883, username: 'bob' });
    expect(parseBrokerUrl('wss://u:p@h/mqtt')).toMatchObject({ username: 'u', password: 'p', url: 'wss://h:443/mqtt' });
  });

  it('accepts a URL object', () => {
    expect(parseBrokerUrl(new URL('mqtts://h:1'))).toEqual({ protocol: 'tls', host: 'h', port: 1 });
  });

  it.each([
    ['localhost', /url: not a valid URL: "localhost"/],
    ['', /url: not a valid URL/],
    ['http://localhost', /url: unknown scheme 'http' .*expected mqtt:\/\//],
    ['localhost:1883', /unknown scheme 'localhost'.*did you forget the scheme/],
    ['mqtt://', /url: no host/],
    ['mqtt://localhost:0', /url: port must be from 1 to 65535, got 0/],
    ['mqtt://localhost:70000', /url: not a valid URL/],
    ['mqtt://bro%20ker', /url: invalid host "bro%20ker"/],
    ['mqtt://a:%zz@localhost', /password: the URL's password is not valid percent-encoding/],
  ])('rejects %j', (url, message) => {
    expect(() => parseBrokerUrl(url)).toThrow(InvalidArgumentError);
    expect(() => parseBrokerUrl(url)).toThrow(message);
  });

  it('rejects a value that is not a string', () => {
    expect(() => parseBrokerUrl(1883 as never)).toThrow(/url: expected a string such as 'mqtt:\/\/localhost:1883', got number/);
  });

  it('reads back host, port and scheme of any well-formed URL', () => {
    const schemes = { mqtt: 'tcp', tcp: 'tcp', mqtts: 'tls', ssl: 'tls', tls: 'tls', ws: 'ws', wss: 'wss' } as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(schemes) as Array<keyof typeof schemes>)),
        fc.domain(),
        fc.integer({ min: 1, max: 65535 }),
        (scheme, host, port) => {
          const parsed = parseBrokerUrl(`${scheme}://${host}:${port}`);
          expect(parsed.protocol).toBe(schemes[scheme]);
          expect(parsed.host).toBe(host.toLowerCase());
          expect(parsed.port).toBe(port);
        },
      ),
    );
  });
});
