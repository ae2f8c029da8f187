// A few assertions that run unchanged in Node and in the browser bundle (node:assert does not
// bundle for the browser). Each throws an Error whose message says what differed.

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = "AssertionError";
  }
}

// canonical renders a value as JSON with sorted keys and without undefined members, so that
// two SDK objects compare by content, whatever order or absent members they carry.
export function canonical(value) {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, v[k]]))
      : v,
  );
}

export function ok(cond, what) {
  if (!cond) throw new AssertionError(what);
}

export function equal(got, want, what) {
  if (got !== want) throw new AssertionError(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

export function deepEqual(got, want, what) {
  const g = canonical(got);
  const w = canonical(want);
  if (g !== w) throw new AssertionError(`${what}:\n  got  ${g}\n  want ${w}`);
}

export function match(got, re, what) {
  if (typeof got !== "string" || !re.test(got)) throw new AssertionError(`${what}: ${JSON.stringify(got)} does not match ${re}`);
}

// rejects awaits promise, which must fail with an instance of errorClass; it checks the
// fields the SDK puts on a modeled exception and returns the error for further checks.
//   want: { status, resourceType, limitType, message: RegExp }
export async function rejects(promise, errorClass, want = {}, what = "the call") {
  let err;
  try {
    const out = await promise;
    throw new AssertionError(`${what}: succeeded (${canonical(out)}); want an error`);
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    err = e;
  }
  // The class's own name may be mangled by a bundler (esbuild renames it _NotFoundException);
  // the name the SDK gives its instances is not.
  const wantName = new errorClass({ $metadata: {}, message: "" }).name;
  ok(err instanceof errorClass, `${what}: ${err?.name}: ${err?.message} is not an instance of ${wantName}`);
  equal(err.name, wantName, `${what}: err.name`);
  if (want.status !== undefined) equal(err.$metadata?.httpStatusCode, want.status, `${what}: err.$metadata.httpStatusCode`);
  if (want.resourceType !== undefined) equal(err.ResourceType, want.resourceType, `${what}: err.ResourceType`);
  if (want.limitType !== undefined) ok(typeof err.LimitType === "string" && err.LimitType !== "", `${what}: err.LimitType ${err.LimitType}`);
  if (want.message !== undefined) match(err.message, want.message, `${what}: err.message`);
  ok(typeof err.$metadata?.requestId === "string" && err.$metadata.requestId !== "", `${what}: no request id on the error`);
  return err;
}
