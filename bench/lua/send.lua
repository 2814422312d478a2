-- wrk: POST a real JSON message body to a send endpoint (.../chat/inbound), authenticated.
-- Env: BENCH_TOKEN, BENCH_PATHS (space-separated) or BENCH_PATHS_FILE (one a line); one at random per request; BENCH_DELAY_MS
-- (optional: pause per request and connection, to offer a lower load than closed-loop wrk would).
local token = os.getenv("BENCH_TOKEN")
-- paths.lua sits beside this script: wrk runs it in a fresh Lua state per thread, each loads it.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local paths = require("paths").load()
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
local counter = 0

request = function()
  counter = counter + 1
  local text = "benchmark message " .. counter .. " from wrk, an ordinary short patient question"
  return wrk.format(nil, paths[math.random(#paths)], nil, '{"message":"' .. text .. '"}')
end

if delay_ms > 0 then
  delay = function() return delay_ms end
end
