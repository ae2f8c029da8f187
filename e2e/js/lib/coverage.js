// Command coverage, the same in Node and in the browser: every command the SDK module exports
// must have been sent by the suite at least once.

// sdkCommands lists the SDK module's command classes (`*Command` exports, without the
// `$Command` base class), sorted.
export function sdkCommands(sdk) {
  return Object.keys(sdk)
    .filter((name) => name.endsWith("Command") && name !== "$Command" && typeof sdk[name] === "function")
    .sort();
}

// trackCommands records the name of every command sent through client, whether the call
// succeeds or fails, from the first middleware step on.
export function trackCommands(client) {
  const seen = new Set();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      seen.add(context.commandName);
      return next(args);
    },
    { step: "initialize", name: "e2eCommandCoverage" },
  );
  return seen;
}

// coverage compares what was sent with what the SDK offers.
export function coverage(sdk, seen) {
  const commands = sdkCommands(sdk);
  return { commands, seen: [...seen].sort(), missing: commands.filter((c) => !seen.has(c)) };
}
