-- wrk script: send the body in the file named by the BODY environment variable, with the
-- method in METHOD (POST unless set; a GET sends no body).
local method = os.getenv("METHOD") or "POST"
wrk.method = method
if method ~= "GET" then
    local f = assert(io.open(os.getenv("BODY"), "rb"))
    wrk.body = f:read("*a")
    f:close()
    wrk.headers["Content-Type"] = "application/json"
end
