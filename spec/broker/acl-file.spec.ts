import { InvalidArgumentError } from '../../lib/errors.js';
import { aclHooks, parseAclFile } from '../../lib/broker/acl-file.js';

const acl = parseAclFile(`
# anonymous clients: read the public tree
topic read public/#

user alice
topic readwrite home/#
topic deny home/secret/#
topic write logs/alice

user bob
topic read home/+/temperature

# everyone: their own device tree, by client id; and a per-user inbox
pattern readwrite devices/%c/#
pattern read inbox/%u
`);
const anon = { clientId: 'anon-1', username: undefined };
const alice = { clientId: 'a-phone', username: 'alice' };
const bob = { clientId: 'b-laptop', username: 'bob' };

describe('parseAclFile', () => {
  it('applies topic lines before any user line to anonymous clients only', () => {
    expect(acl.canSubscribe(anon, 'public/news')).toBe(true);
    expect(acl.canSubscribe(anon, 'public/#')).toBe(true);
    expect(acl.canPublish(anon, 'public/news')).toBe(false); // read only
    expect(acl.canSubscribe(alice, 'public/news')).toBe(false); // alice has her own rules
  });

  it("applies a user's lines to that user, with deny winning over a broader grant", () => {
    expect(acl.canPublish(alice, 'home/kitchen/light')).toBe(true);
    expect(acl.canSubscribe(alice, 'home/#')).toBe(false); // would include home/secret/#, which is denied
    expect(acl.canSubscribe(alice, 'home/kitchen/#')).toBe(true);
    expect(acl.canPublish(alice, 'home/secret/door')).toBe(false);
    expect(acl.canPublish(alice, 'logs/alice')).toBe(true);
    expect(acl.canSubscribe(alice, 'logs/alice')).toBe(false); // write only
  });

  it('grants a subscription only when every topic it can match is readable', () => {
    expect(acl.canSubscribe(bob, 'home/kitchen/temperature')).toBe(true);
    expect(acl.canSubscribe(bob, 'home/+/temperature')).toBe(true);
    expect(acl.canSubscribe(bob, 'home/#')).toBe(false);
    expect(acl.canSubscribe(bob, 'home/kitchen/+')).toBe(false);
    expect(acl.canSubscribe(bob, '$share/g/home/+/temperature')).toBe(true); // the filter behind the share
  });

  it('substitutes %c and %u in pattern lines for every client; %u never matches an anonymous client', () => {
    expect(acl.canPublish(bob, 'devices/b-laptop/status')).toBe(true);
    expect(acl.canPublish(bob, 'devices/a-phone/status')).toBe(false);
    expect(acl.canPublish(anon, 'devices/anon-1/status')).toBe(true);
    expect(acl.canSubscribe(bob, 'inbox/bob')).toBe(true);
    expect(acl.canSubscribe(bob, 'inbox/alice')).toBe(false);
    expect(acl.canSubscribe(anon, 'inbox/undefined')).toBe(false);
  });

  it('does not let a client id holding wildcards or / widen a pattern', () => {
    expect(acl.canSubscribe({ clientId: '#', username: 'bob' }, 'devices/#')).toBe(false);
    expect(acl.canPublish({ clientId: 'x/y', username: 'bob' }, 'devices/x/y/status')).toBe(false);
  });

  it('does not let a leading wildcard rule reach $ topics [MQTT-4.7.2-1]', () => {
    const open = parseAclFile('pattern readwrite #\n');
    expect(open.canPublish(anon, 'a/b')).toBe(true);
    expect(open.canSubscribe(anon, '$SYS/broker/clients')).toBe(false);
    expect(parseAclFile('topic read $SYS/#\n').canSubscribe(anon, '$SYS/broker/clients')).toBe(true);
  });

  it('treats a topic line without an access word as readwrite', () => {
    const a = parseAclFile('topic a/b\n');
    expect([a.canPublish(anon, 'a/b'), a.canSubscribe(anon, 'a/b')]).toEqual([true, true]);
  });

  it('refuses malformed files with InvalidArgumentError naming the line', () => {
    expect(() => parseAclFile('topic read\n')).toThrow(/line 1: 'topic' needs a topic filter/);
    expect(() => parseAclFile('\nallow all\n')).toThrow(/line 2: expected 'topic', 'pattern' or 'user'/);
    expect(() => parseAclFile('topic read a/#/b\n')).toThrow(/line 1.*MQTT-4.7.1-2/);
    expect(() => parseAclFile('user\n')).toThrow(InvalidArgumentError);
  });

  it('gives broker hooks that answer from the rules', () => {
    const hooks = aclHooks(acl);
    expect(hooks.authorizePublish({ clientId: 'a-phone', username: 'alice', topic: 'home/x', payload: new Uint8Array(), qos: 1, retain: false })).toBe(true);
    expect(hooks.authorizeSubscribe({ clientId: 'b-laptop', username: 'bob', topicFilter: 'home/#', qos: 1 } as never)).toBe(false);
  });
});
