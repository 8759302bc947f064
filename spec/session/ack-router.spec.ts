import { AckRouter } from '../../lib/session/ack-router.js';

describe('AckRouter', () => {
  it('routes an ack to the flow waiting for its identifier only', () => {
    const router = new AckRouter();
    const got: string[] = [];
    router.acksFor(1).subscribe((a) => got.push(`1:${a.type}`));
    router.acksFor(2).subscribe((a) => got.push(`2:${a.type}`));
    expect(router.route({ type: 'puback', packetId: 2 })).toBe(true);
    expect(router.route({ type: 'puback', packetId: 3 })).toBe(false);
    expect(got).toEqual(['2:puback']);
  });

  it('removes the route on unsubscribe, and keeps a newer route for the same identifier', () => {
    const router = new AckRouter();
    const got: string[] = [];
    const first = router.acksFor(5).subscribe(() => got.push('first'));
    router.acksFor(5).subscribe(() => got.push('second'));
    first.unsubscribe();
    router.route({ type: 'pubrec', packetId: 5 });
    expect(got).toEqual(['second']);
    const router2 = new AckRouter();
    router2.acksFor(6).subscribe().unsubscribe();
    expect(router2.size).toBe(0);
  });

  it('failAll errors every waiting flow', () => {
    const router = new AckRouter();
    const errors: unknown[] = [];
    router.acksFor(1).subscribe({ error: (e) => errors.push(e) });
    router.acksFor(2).subscribe({ error: (e) => errors.push(e) });
    const gone = new Error('gone');
    router.failAll(gone);
    expect(errors).toEqual([gone, gone]);
    expect(router.size).toBe(0);
  });
});
