-- wrk script for bench/http-load.sh: POSTs the JSON file named by $BODY to the URL given to wrk.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local file = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = file:read("*a")
file:close()
