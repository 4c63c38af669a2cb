-- GET the newest page of one instance's backups.
wrk.method = "GET"
wrk.path = "/v3/619d3e78f61b4be68bc5aa0b59edcf7b/backups?instance_id=07033b125fd94a8a96896f8bcfee6ddain07&limit=10"
wrk.headers["X-Auth-Token"] = "bench-token"
