-- wrk script: POSTs Alertmanager version "4" webhook notifications to Aiops's webhook endpoint.
--
-- The body is the notification Alertmanager 0.25 posted for a firing alert (recorded under
-- ../shared/data/alertmanager/webhook-v4-firing.json), with ALERTS alerts per notification.
--
--   wrk ... -s eng/wrk/alertmanager.lua URL -- [varied|repeated] [ALERTS] [TOKEN]
--
-- varied (default): every request has its own groupKey and alert fingerprints, so the webhook's duplicate cache never
--   short-circuits it and every alert reaches correlation.
-- repeated: every request is the same notification (Alertmanager's retries and repeat_interval resends): after the first,
--   each one is acknowledged as a duplicate.

local mode, alerts, token = "varied", 1, nil
local counter, run = 0, ""
local threads = {}
-- thread_id is a global: setup() sets it in each thread's Lua state.

local alert_template = [[{"status":"firing","labels":{"alertname":"HighValue","instance":"127.0.0.1:%d","job":"app","severity":"warning"},"annotations":{},"startsAt":"2026-11-24T22:34:16.418Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://127.0.0.1:9090/graph?g0.expr=lab_value+%%3E+5&g0.tab=1","fingerprint":"%s"}]]
local payload_template = [[{"receiver":"hook","status":"firing","alerts":[%s],"groupLabels":{},"commonLabels":{"alertname":"HighValue","job":"app","severity":"warning"},"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","version":"4","groupKey":"%s","truncatedAlerts":0}]]

local function body(n)
  local parts = {}
  for i = 1, alerts do
    local id = (n * alerts) + i
    parts[i] = string.format(alert_template, 18000 + (id % 1000), string.format("%s%02x%010x", run, thread_id, id))
  end
  return string.format(payload_template, table.concat(parts, ","), string.format('{}:{run=\\"%s\\",thread=\\"%d\\",n=\\"%d\\"}', run, thread_id, n))
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  mode = args[1] or mode
  alerts = tonumber(args[2] or alerts)
  token = args[3]
  -- Distinct per wrk run (a warm-up run precedes the measured one), so no run repeats another's notifications.
  run = string.format("%04x", os.time() % 65536)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  if mode == "repeated" then
    local fixed = body(0)
    request = function() return wrk.format(nil, nil, nil, fixed) end
  end
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, body(counter))
end

function done(summary, latency, requests)
  -- Printed in a fixed form that eng/load-webhook.sh reads.
  io.write(string.format("aiops: requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
