import { describeListenFailure } from '../../lib/cli/describe-listen-failure';
import { TransportError } from '../../lib/errors';

const listenError = (code: string, port: number): TransportError =>
  new TransportError(`cannot listen on 127.0.0.1:${port}: listen ${code}: something 127.0.0.1:${port}`, {
    code: 'LISTEN_FAILED',
    cause: Object.assign(new Error(`listen ${code}`), { code, port }),
  });

describe('describeListenFailure', () => {
  it('says once where it could not listen, and names -p for the MQTT port', () => {
    const text = describeListenFailure(listenError('EADDRINUSE', 1883), { host: '127.0.0.1', port: 1883 });
    expect(text).toBe(
      'cannot listen on 127.0.0.1:1883: the port is already in use (another MQTT broker, such as Mosquitto, may be running there); ' +
        'choose another with -p PORT, or -p 0 for a free one',
    );
    expect(text.split('cannot listen').length).toBe(2);
  });

  it('names --ws-port when the WebSocket port is the one in use', () => {
    expect(describeListenFailure(listenError('EADDRINUSE', 8080), { host: '127.0.0.1', port: 1883, wsPort: 8080 })).toMatch(
      /^cannot listen on 127\.0\.0\.1:8080: .*--ws-port PORT, or --ws-port 0/,
    );
  });

  it('says to install ws for WS_MISSING, without the require stack of the cause', () => {
    const error = new TransportError('the websocket listener needs the "ws" package', { code: 'WS_MISSING', cause: new Error("Cannot find module 'ws'\nRequire stack:\n- x.js") });
    expect(describeListenFailure(error, { host: '127.0.0.1', port: 0, wsPort: 0 })).toBe(
      "--ws-port needs the optional 'ws' package, which is not installed: run npm install ws, or leave out --ws-port",
    );
  });

  it('keeps other errors as they are, without saying "cannot listen" twice', () => {
    expect(describeListenFailure(new TransportError('cannot listen on h:1: boom'), { host: 'h', port: 1 })).toBe('cannot listen on h:1: boom');
    expect(describeListenFailure(new Error('boom'), { host: 'h', port: 1 })).toBe('cannot listen on h:1: boom');
  });
});
