// A few lines over fetch for amplifybackendd's test control plane (/_amplifybackend/):
// plain JSON in and out, errors {"message": "..."} with a 4xx/5xx status.
export function controlPlane(baseUrl) {
  const call = async (method, path, body) => {
    const res = await fetch(`${baseUrl}/_amplifybackend${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`${method} /_amplifybackend${path}: ${res.status} ${data?.message ?? text}`);
    return data;
  };
  return {
    call,
    // Everything a test starts from: no state, no fault rules, an empty journal, jobs that
    // run at once.
    async resetAll() {
      await call("POST", "/reset");
      await call("DELETE", "/faults");
      await call("DELETE", "/requests");
      await call("PUT", "/jobs/settings", { mode: "immediate" });
    },
    setJobSettings: (settings) => call("PUT", "/jobs/settings", settings),
    finishJob: (jobId, status, error) => call("POST", `/jobs/${encodeURIComponent(jobId)}`, error ? { status, error } : { status }),
    addFault: (rule) => call("POST", "/faults", rule),
    requests: (query = "") => call("GET", `/requests${query}`).then((r) => r.requests),
    info: () => call("GET", "/info"),
  };
}
