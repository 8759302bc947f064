import { DEFAULT_ALLOWED_ORIGINS, originAllowed, originPatternProblem } from '../../lib/broker/origin-policy';

describe('originAllowed', () => {
  it('accepts no Origin and pages from this machine by default', () => {
    for (const origin of [undefined, 'http://localhost', 'https://localhost:8443', 'http://127.0.0.1:3000', 'http://[::1]:1']) {
      expect([origin, originAllowed(origin, DEFAULT_ALLOWED_ORIGINS)]).toEqual([origin, true]);
    }
  });

  it('refuses other pages by default, look-alikes and malformed Origins included', () => {
    for (const origin of ['http://evil.example', 'http://localhost.evil.example', 'ws://localhost', 'null', 'http://localhost/path', 'not an origin', '']) {
      expect([origin, originAllowed(origin, DEFAULT_ALLOWED_ORIGINS)]).toEqual([origin, false]);
    }
  });

  it('matches exact origins, port wildcards, null and *', () => {
    expect(originAllowed('https://app.example.com', ['https://app.example.com:443'])).toBe(true);
    expect(originAllowed('https://app.example.com:444', ['https://app.example.com'])).toBe(false);
    expect(originAllowed('http://dev.example:9', ['http://dev.example:*'])).toBe(true);
    expect(originAllowed('https://dev.example:9', ['http://dev.example:*'])).toBe(false);
    expect(originAllowed('null', ['null'])).toBe(true);
    expect(originAllowed('http://x.example', ['*'])).toBe(true);
    expect(originAllowed('http://x.example', [])).toBe(false);
  });
});

describe('originPatternProblem', () => {
  it.each(['*', 'null', 'https://a.example', 'http://a.example:8080', 'http://a.example:*', ...DEFAULT_ALLOWED_ORIGINS])('accepts %s', (p) => {
    expect(originPatternProblem(p)).toBeUndefined();
  });
  it.each(['a.example', 'https://a.example/x', 'http://a.example:1:*', 'foo:', '', 7])('refuses %j', (p) => {
    expect(originPatternProblem(p)).toMatch(/must be \*, null or an origin/);
  });
});
