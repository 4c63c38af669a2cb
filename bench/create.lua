-- POST the documentation's create request; with LIMIT set, each thread stops after LIMIT
-- answers (to seed a store with an exact number of backups).
wrk.method = "POST"
wrk.path = "/v3/619d3e78f61b4be68bc5aa0b59edcf7b/backups/create"
wrk.headers["X-Auth-Token"] = "bench-token"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"instance_id": "07033b125fd94a8a96896f8bcfee6ddain07", "name": "backup-1", "description": "Manual backup"}'

local limit = tonumber(os.getenv("LIMIT") or "0")
local count = 0
if limit > 0 then
  response = function(status, headers, body)
    count = count + 1
    if count >= limit then
      wrk.thread:stop()
    end
  end
end
