-- Shared by the wrk scripts (require("paths"); each script puts its own directory first on
-- package.path, so this works however wrk is started): the request paths, from BENCH_PATHS_FILE (one
-- a line; bench/run.py uses it) or BENCH_PATHS (space-separated), else "/".
local M = {}

function M.load()
  local paths = {}
  local paths_file = os.getenv("BENCH_PATHS_FILE")
  if paths_file then
    for line in io.lines(paths_file) do if #line > 0 then paths[#paths + 1] = line end end
  else
    for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "%S+") do paths[#paths + 1] = p end
  end
  return paths
end

return M
