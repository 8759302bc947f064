// Jest reporter: ends the run with one plain line, "jest: N passed, N failed, N skipped",
// so that CI logs and scripts can read the outcome without parsing Jest's own summary.
'use strict';
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped`;
    process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
