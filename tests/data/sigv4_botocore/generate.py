#!/usr/bin/env python3
"""Generates vectors.json: SigV4 signatures computed by botocore's own signer
(botocore.auth.SigV4Auth) for the request shapes firehose sends, so that
sigv4_test.cpp compares our signer with the reference implementation rather
than with our own output.

Run from anywhere: python3 tests/data/sigv4_botocore/generate.py
Bodies that are too large to store are described by a rule
("body_repeat": {"pattern": p, "count": n} means p repeated n times).
"""
import datetime
import json
import os
from unittest import mock
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = ("IQoJb3JpZ2luX2VjEOf//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/session+token=="
         "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfp")
FIREHOSE = "https://firehose.us-east-1.amazonaws.com/"
FIREHOSE_JSON = [
    ["X-Amz-Target", "Firehose_20150804.PutRecordBatch"],
    ["Content-Type", "application/x-amz-json-1.1"],
]
BATCH_BODY = ('{"DeliveryStreamName":"my-stream","Records":[{"Data":"aGVsbG8K"},'
              '{"Data":"d29ybGQK"}]}')

CASES = [
    {
        "name": "firehose-put-record-batch",
        "url": FIREHOSE,
        "headers": FIREHOSE_JSON,
        "body": BATCH_BODY,
    },
    {
        "name": "firehose-put-record-batch-session-token",
        "url": FIREHOSE,
        "headers": FIREHOSE_JSON,
        "body": BATCH_BODY,
        "session_token": TOKEN,
    },
    {
        "name": "firehose-empty-body",
        "url": FIREHOSE,
        "headers": [["X-Amz-Target", "Firehose_20150804.ListDeliveryStreams"],
                    ["Content-Type", "application/x-amz-json-1.1"]],
        "body": "",
    },
    {
        "name": "firehose-empty-json-object",
        "url": FIREHOSE,
        "headers": [["X-Amz-Target", "Firehose_20150804.ListDeliveryStreams"],
                    ["Content-Type", "application/x-amz-json-1.1"]],
        "body": "{}",
        "time": "2024-02-29T23:59:59",
    },
    {
        "name": "firehose-one-mebibyte-body",
        "url": FIREHOSE,
        "headers": FIREHOSE_JSON,
        "body_repeat": {"pattern": "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/", "count": 16384},
        "session_token": TOKEN,
    },
    {
        "name": "unusual-header-values",
        "url": FIREHOSE,
        "headers": FIREHOSE_JSON + [
            ["X-Amz-Meta-Note", "  leading, trailing and   inner   spaces  "],
            ["x-amz-meta-list", "a,b,\tc ,\t\td"],
            ["My-Header", "\tquoted \"a   b\"\t"],
            # Never signed: botocore's SIGNED_HEADERS_BLACKLIST.
            ["User-Agent", "firehose/0.1.0 test"],
            ["Expect", "100-continue"],
            ["X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"],
            # Replaced by the signing time.
            ["X-Amz-Date", "20000101T000000Z"],
        ],
        "body": BATCH_BODY,
    },
    {
        "name": "local-endpoint-non-default-port",
        "url": "http://127.0.0.1:4567/",
        "headers": FIREHOSE_JSON,
        "body": BATCH_BODY,
        "region": "eu-west-1",
    },
    {
        "name": "explicit-default-port-is-dropped",
        "url": "https://FireHose.us-east-1.amazonaws.com:443/",
        "headers": FIREHOSE_JSON,
        "body": BATCH_BODY,
    },
    {
        "name": "cloudwatch-put-metric-data",
        "url": "https://monitoring.us-west-2.amazonaws.com/",
        "headers": [["X-Amz-Target", "GraniteServiceVersion20100801.PutMetricData"],
                    ["Content-Type", "application/x-amz-json-1.0"]],
        "body": ('{"Namespace":"Firehose/Producer","MetricData":[{"MetricName":"RecordsSent",'
                 '"Value":500,"Unit":"Count"}]}'),
        "region": "us-west-2",
        "service": "monitoring",
        "session_token": TOKEN,
    },
    {
        "name": "content-sha256-header-is-the-payload-hash",
        "url": FIREHOSE,
        "headers": FIREHOSE_JSON + [["X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"]],
        "body": BATCH_BODY,
    },
    {
        "name": "path-normalisation-and-encoded-query",
        "url": "https://example.amazonaws.com/a/./b/../c//d%20e/?b=2&a=%2Fx&a=1&c=",
        "headers": [],
        "body": "",
        "method": "GET",
        "service": "service",
    },
]


def body_of(case):
    if "body_repeat" in case:
        rule = case["body_repeat"]
        return rule["pattern"] * rule["count"]
    return case["body"]


def sign(case):
    when = datetime.datetime.fromisoformat(case.get("time", "2015-08-30T12:36:00"))
    request = AWSRequest(method=case.get("method", "POST"), url=case["url"],
                         data=body_of(case).encode("utf-8"))
    for name, value in case["headers"]:
        request.headers[name] = value
    credentials = Credentials(AKID, SECRET, case.get("session_token"))
    auth = botocore.auth.SigV4Auth(credentials, case.get("service", "firehose"),
                                   case.get("region", "us-east-1"))
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=when):
        auth.add_auth(request)
        # add_auth has set the signing headers; the canonical request and the
        # string to sign are recomputed from that state, without the
        # Authorization header that add_auth removes before it signs.
        authorization = request.headers["Authorization"]
        del request.headers["Authorization"]
        canonical_request = auth.canonical_request(request)
        string_to_sign = auth.string_to_sign(request, canonical_request)
        assert authorization.endswith("Signature=" + auth.signature(string_to_sign, request))

    parts = urlsplit(case["url"])
    vector = {key: case[key] for key in case if key in (
        "name", "method", "url", "headers", "body", "body_repeat", "session_token")}
    vector.setdefault("method", "POST")
    vector["region"] = case.get("region", "us-east-1")
    vector["service"] = case.get("service", "firehose")
    vector["time"] = when.strftime("%Y%m%dT%H%M%SZ")
    vector["path"] = parts.path
    vector["query"] = parts.query
    vector["expected"] = {
        "canonical_request": canonical_request,
        "string_to_sign": string_to_sign,
        "authorization": authorization,
        "x_amz_date": request.headers["X-Amz-Date"],
    }
    return vector


def main():
    out = {
        "generator": "tests/data/sigv4_botocore/generate.py",
        "botocore_version": botocore.__version__,
        "access_key_id": AKID,
        "secret_access_key": SECRET,
        "vectors": [sign(case) for case in CASES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
