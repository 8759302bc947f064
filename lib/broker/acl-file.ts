import { InvalidArgumentError } from '../errors.js';
import { topicFilterProblem } from '../codec/topic.js';
import type { AuthorizePublishHook, AuthorizeSubscribeHook } from './auth-hooks.js';

type Access = 'read' | 'write' | 'readwrite' | 'deny';

interface Rule {
  readonly access: Access;
  /** Levels of the filter; for a pattern, levels may be `%c` or `%u`. */
  readonly levels: readonly string[];
  readonly pattern: boolean;
}

/** Who asks, for {@link AclFile.canPublish} and {@link AclFile.canSubscribe}. */
export interface AclClient {
  /** The client identifier (what `%c` stands for in a `pattern` rule). */
  readonly clientId: string;
  /** The username (what `user` sections and `%u` match), undefined when anonymous. */
  readonly username: string | undefined;
}

/** The broker hooks that enforce an {@link AclFile} (see {@link aclHooks}). */
export interface AclHooks {
  /** Allows a PUBLISH when the file grants `write` on its topic. */
  readonly authorizePublish: AuthorizePublishHook;
  /** Allows a SUBSCRIBE filter when the file grants `read` on it. */
  readonly authorizeSubscribe: AuthorizeSubscribeHook;
}

/** Access rules in Mosquitto's ACL file format. Made by {@link parseAclFile}. */
export interface AclFile {
  /** May this client publish to `topic`? */
  canPublish(client: AclClient, topic: string): boolean;
  /** May this client subscribe to `filter` (every topic it can match must be readable)? */
  canSubscribe(client: AclClient, filter: string): boolean;
}

/** Does the rule filter `rule` match every topic the filter (or topic name) `levels` matches? */
function covers(rule: readonly string[], levels: readonly string[]): boolean {
  for (let i = 0; i < rule.length; i++) {
    const r = rule[i];
    if (r === '#') return true; // also the parent level [MQTT-4.7.1-2]
    if (i >= levels.length) return false;
    const l = levels[i];
    if (l === '#') return false; // the asked filter reaches further than this rule
    if (r !== '+' && r !== l) return false; // a '+' asked for is covered only by '+' or '#'
  }
  return rule.length === levels.length;
}

/** Does the rule filter `rule` match some topic that `levels` matches (for deny rules)? */
function overlaps(rule: readonly string[], levels: readonly string[]): boolean {
  for (let i = 0; ; i++) {
    const r = rule[i];
    const l = levels[i];
    if (r === '#' || l === '#') return true;
    if (r === undefined || l === undefined) return r === l;
    if (r !== '+' && l !== '+' && r !== l) return false;
  }
}

function substitute(rule: Rule, client: AclClient): readonly string[] | undefined {
  if (!rule.pattern) return rule.levels;
  const out: string[] = [];
  for (const level of rule.levels) {
    if (level === '%c') out.push(client.clientId);
    else if (level === '%u') {
      if (client.username === undefined) return undefined; // a %u rule never applies to anonymous clients
      out.push(client.username);
    } else out.push(level);
  }
  // A client id or user name holding a wildcard or '/' must not widen the rule.
  if (out.some((l, i) => rule.levels[i]?.startsWith('%') && (l.includes('/') || l.includes('+') || l.includes('#')))) return undefined;
  return out;
}

/**
 * Reads an ACL file in Mosquitto's format:
 *
 * - `topic [read|write|readwrite|deny] FILTER`: before any `user` line it applies to anonymous
 *   clients; after `user NAME`, to that user. Without an access word it means `readwrite`.
 * - `pattern [read|write|readwrite|deny] FILTER`: applies to every client, with `%c` (client id)
 *   and `%u` (user name) as whole levels.
 * - `#` starts a comment line. `deny` wins over any grant.
 *
 * A client may publish to a topic a `write`/`readwrite` rule matches; it may subscribe to a filter
 * whose every topic a `read`/`readwrite` rule matches (so `#` needs a rule of `#`), and that no
 * `deny` rule touches. Throws {@link InvalidArgumentError} naming the line for anything else.
 *
 * @example
 * ```ts
 * const acl = parseAclFile('user alice\ntopic readwrite home/#\npattern write devices/%c/status\n');
 * acl.canPublish({ clientId: 'd1', username: 'alice' }, 'devices/d1/status'); // true
 * ```
 */
export function parseAclFile(text: string, name = 'ACL file'): AclFile {
  if (typeof text !== 'string') throw new InvalidArgumentError('text', 'must be a string');
  const anonymous: Rule[] = [];
  const patterns: Rule[] = [];
  const byUser = new Map<string, Rule[]>();
  let current: Rule[] = anonymous;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${name} line ${i + 1}`;
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword === 'user') {
      const user = line.slice(4).trim();
      if (user === '') throw new InvalidArgumentError('ACL file', `${where}: 'user' needs a name`);
      current = byUser.get(user) ?? [];
      byUser.set(user, current);
      return;
    }
    if (keyword !== 'topic' && keyword !== 'pattern') {
      throw new InvalidArgumentError('ACL file', `${where}: expected 'topic', 'pattern' or 'user', got '${keyword}'`);
    }
    const first = rest[0];
    const access: Access = first === 'read' || first === 'write' || first === 'readwrite' || first === 'deny' ? first : 'readwrite';
    const filter = (access === first ? rest.slice(1) : rest).join(' ');
    if (filter === '') throw new InvalidArgumentError('ACL file', `${where}: '${keyword}' needs a topic filter`);
    const problem = topicFilterProblem(keyword === 'pattern' ? filter.replace(/%[cu]/g, 'x') : filter);
    if (problem !== undefined) throw new InvalidArgumentError('ACL file', `${where}: the filter '${filter}' ${problem}`);
    const rule: Rule = { access, levels: filter.split('/'), pattern: keyword === 'pattern' };
    (keyword === 'pattern' ? patterns : current).push(rule);
  });

  const rulesFor = (client: AclClient): { rule: Rule; levels: readonly string[] }[] => {
    const own = client.username === undefined ? anonymous : (byUser.get(client.username) ?? []);
    const out: { rule: Rule; levels: readonly string[] }[] = [];
    for (const rule of [...own, ...patterns]) {
      const levels = substitute(rule, client);
      if (levels !== undefined) out.push({ rule, levels });
    }
    return out;
  };
  const decide = (client: AclClient, asked: string, want: 'read' | 'write'): boolean => {
    const levels = asked.split('/');
    const rules = rulesFor(client);
    // A topic starting with $ is matched only by rules that name it: a leading wildcard skips it [MQTT-4.7.2-1].
    const dollar = asked.startsWith('$');
    const applies = (r: readonly string[]): boolean => !(dollar && (r[0] === '+' || r[0] === '#'));
    if (rules.some(({ rule, levels: r }) => rule.access === 'deny' && applies(r) && overlaps(r, levels))) return false;
    return rules.some(({ rule, levels: r }) => (rule.access === want || rule.access === 'readwrite') && applies(r) && covers(r, levels));
  };
  return {
    canPublish: (client, topic) => decide(client, topic, 'write'),
    canSubscribe: (client, filter) => decide(client, filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter, 'read'),
  };
}

/**
 * The authorize hooks of an ACL file, for {@link startBroker}. A refused SUBSCRIBE is answered
 * with SUBACK 0x80 (3.1.1) / 0x87 (5.0), a refused PUBLISH with PUBACK/PUBREC 0x87 on 5.0; on
 * 3.1.1, which cannot refuse a PUBLISH on the wire, it is acknowledged and dropped [MQTT-3.3.5-2],
 * and counted (`messagesDropped`, reason `notAuthorized`).
 *
 * @example
 * ```ts
 * await startBroker({ port: 1883, ...aclHooks(parseAclFile(text)) });
 * ```
 */
export function aclHooks(acl: AclFile): AclHooks {
  return {
    authorizePublish: ({ clientId, username, topic }) => acl.canPublish({ clientId, username }, topic),
    authorizeSubscribe: ({ clientId, username, topicFilter }) => acl.canSubscribe({ clientId, username }, topicFilter),
  };
}
