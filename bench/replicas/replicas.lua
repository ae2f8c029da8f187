-- wrk script of bench/replicas.sh: a mix of GetBackendJob reads and writes, as clients of
-- amplifybackendd send them. Settings (environment variables):
--   REPLICAS_JOBS      file of "appId env jobId" lines: the jobs GetBackendJob reads (required)
--   REPLICAS_READS     percent of requests that are GetBackendJob (default 100)
--   REPLICAS_TOKENS    percent that are CreateToken (default 0), each on an app drawn from
--                      REPLICAS_APPS, a file of app ids, one a line; the rest are CreateBackend
--                      of a new app, a job that every replica's runner may take
--   REPLICAS_PREFIX    prefix of the new apps' ids, distinct per wrk process (default "w")
-- It ends with one machine-readable line: WRKJSON {...}.
local auth = "AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/amplifybackend/aws4_request, " ..
  "SignedHeaders=host;x-amz-date, Signature=b7b75165fc66befbd1680b947e6a2c9b5bb0af60114835cc582d0f8bc6d57f42"
wrk.headers["Authorization"] = auth
wrk.headers["Content-Type"] = "application/json"

local reads = tonumber(os.getenv("REPLICAS_READS") or "100")
local tokens = tonumber(os.getenv("REPLICAS_TOKENS") or "0")
local prefix = os.getenv("REPLICAS_PREFIX") or "w"

local jobs = {}
for line in io.lines(os.getenv("REPLICAS_JOBS")) do
  local app, env, id = line:match("^(%S+)%s+(%S+)%s+(%S+)$")
  if app then
    jobs[#jobs + 1] = "/backend/" .. app .. "/job/" .. env .. "/" .. id
  end
end
local tokenPaths = {}
if tokens > 0 then
  for app in io.lines(os.getenv("REPLICAS_APPS")) do
    tokenPaths[#tokenPaths + 1] = "/backend/" .. app .. "/challenge"
  end
end

-- thread_id is a global: setup sets it in each thread's own Lua state.
thread_id = 0
local counter = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
end

function request()
  local r = math.random(100)
  if r <= reads then
    return wrk.format("GET", jobs[math.random(#jobs)], nil, "")
  elseif r <= reads + tokens then
    return wrk.format("POST", tokenPaths[math.random(#tokenPaths)], nil, "{}")
  end
  counter = counter + 1
  local app = string.format("%s%d-%d", prefix, thread_id, counter)
  return wrk.format("POST", "/backend", nil,
    '{"appId":"' .. app .. '","appName":"' .. app .. '","backendEnvironmentName":"dev"}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p99_us":%d,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
