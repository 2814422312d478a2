-- wrk: GET the latest page of a chat, authenticated. Env: BENCH_TOKEN, BENCH_PATHS (space-separated
-- paths) or BENCH_PATHS_FILE (one a line; bench/run.py uses it); each request picks one at random,
-- so a list of many chats spreads the reads.
local token = os.getenv("BENCH_TOKEN")
-- paths.lua sits beside this script: wrk runs it in a fresh Lua state per thread, each loads it.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local paths = require("paths").load()
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token
math.randomseed(os.time())

request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
