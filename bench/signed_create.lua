-- POST the documentation's create request AK/SK-signed as the Huawei SDK signs it, from the
-- file SIGNED names (`bench/instructions.py signed-request HOST` writes it: the body, then a
-- header a line). The same signed request is sent again and again, valid for its 15 minutes.
wrk.method = "POST"
wrk.path = "/v3/619d3e78f61b4be68bc5aa0b59edcf7b/backups/create"
local path = os.getenv("SIGNED") or error("SIGNED names the signed request")
local file = assert(io.open(path))
wrk.body = file:read("*l")
for line in file:lines() do
  local name, value = line:match("^([^:]+): (.*)$")
  wrk.headers[name] = value
end
file:close()
