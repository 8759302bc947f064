/**
 * A `describe` for suites that need a program of the machine (a broker, a browser). When it is
 * missing the suite is skipped with its reason in the name and a warning, so a developer without
 * it still runs the rest; with CI=true it is never skipped, and the suite fails on the missing
 * program instead.
 */
export function describeWithTool(tool: { readonly what: string; readonly installed: boolean; readonly install: string }, name: string, fn: () => void): void {
  if (!tool.installed && process.env.CI !== 'true') {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED "${name}": ${tool.what} is not installed (${tool.install}). With CI=true this fails.`);
    describe.skip(`${name} (SKIPPED: ${tool.what} not installed)`, fn);
    return;
  }
  describe(name, fn);
}
