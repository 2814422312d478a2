-- wrk: GET the latest page of a chat, authenticated. Env: BENCH_TOKEN, BENCH_PATHS (space-separated
-- paths) or BENCH_PATHS_FILE (one a line; bench/run.py uses it); each request picks one at random,
-- so a list of many chats spreads the reads.
local token = os.getenv("BENCH_TOKEN")
local paths = {}
local paths_file = os.getenv("BENCH_PATHS_FILE")
if paths_file then
  for line in io.lines(paths_file) do if #line > 0 then paths[#paths + 1] = line end end
else
  for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do paths[#paths + 1] = p end
end
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token
math.randomseed(os.time())

request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
