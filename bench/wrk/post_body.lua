-- Posts the same PutRecordBatch body on every request (signature checks off).
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "Firehose_20150804.PutRecordBatch"
wrk.headers["Authorization"] = os.getenv("AUTHORIZATION") or
  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/firehose/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"
wrk.headers["X-Amz-Date"] = "20250101T000000Z"
