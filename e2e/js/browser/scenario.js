// Runs in the page: the shared scenario (all 31 commands, lib/scenario.js), each step
// recorded as a named result, then the coverage check, done here in the page and reported
// back with the results.
import { scenario } from "../lib/scenario.js";
import { trackCommands, coverage } from "../lib/coverage.js";

export async function runScenario(sdk, client, options, record) {
  const seen = trackCommands(client);
  for (const step of scenario({ sdk, client, ...options })) {
    try {
      await step.run();
      record(step.name, true);
    } catch (err) {
      record(step.name, false, `${err.name}: ${err.message}`);
    }
  }
  const result = coverage(sdk, seen);
  const ok = result.missing.length === 0 && result.commands.length >= 31;
  record(`coverage: every one of the SDK's ${result.commands.length} commands was sent`, ok,
    ok ? "" : `never sent: ${result.missing.join(", ")}`);
  return result;
}
