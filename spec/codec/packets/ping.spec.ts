import { encode } from '../../../lib/codec/encode.js';
import { bytes, decodeAll, expectDecodeError, expectFixture } from './fixture-helpers.js';

describe.each([4, 5] as const)('PINGREQ and PINGRESP, version %i', (v) => {
  it('PINGREQ is C0 00', () => {
    expectFixture({ type: 'pingreq' }, bytes(
      0xc0, // type 12, flags 0
      0x00, // remaining length 0
    ), v);
  });

  it('PINGRESP is D0 00', () => {
    expectFixture({ type: 'pingresp' }, bytes(
      0xd0, // type 13, flags 0
      0x00, // remaining length 0
    ), v);
  });

  it('each encode returns its own bytes', () => {
    const a = encode({ type: 'pingreq' }, { protocolVersion: v });
    const b = encode({ type: 'pingreq' }, { protocolVersion: v });
    a[0] = 0;
    expect(b).toEqual(bytes(0xc0, 0x00));
  });

  it('decodes many in one chunk', () => {
    expect(decodeAll(bytes(0xc0, 0x00, 0xd0, 0x00, 0xc0, 0x00), v).map((p) => p.type)).toEqual(['pingreq', 'pingresp', 'pingreq']);
  });

  it('rejects a body and wrong flags', () => {
    expectDecodeError(bytes(0xc0, 0x01, 0x00), v, { code: 'DECODE_TRAILING_BYTES', offset: 2 });
    expectDecodeError(bytes(0xd1, 0x00), v, { code: 'DECODE_INVALID_FLAGS', offset: 0, specRef: v === 5 ? 'MQTT-2.1.3-1' : 'MQTT-2.2.2-1' });
  });
});
