#!/usr/bin/python3
"""Signs one S3 request with botocore (Debian's python3-botocore) and prints its Authorization header.

The second opinion on src/store/s3/sigv4: tests/unit/store/sigv4_botocore_test.cpp signs the same
request with ours and compares. Input is one JSON object on stdin (a test key, never a real one):
  {"method": "PUT", "url": "http://127.0.0.1:9000/bucket/attachments/k?partNumber=1&uploadId=u",
   "headers": [["Range", "bytes=0-9"], ...],   # as sent, without host, x-amz-date, x-amz-content-sha256
   "payload_hex": "68656c6c6f",                # the body's bytes
   "unsigned_payload": false,                   # true: x-amz-content-sha256 is UNSIGNED-PAYLOAD
   "amz_date": "20130524T000000Z",
   "access_key_id": "...", "secret_access_key": "...", "region": "us-east-1"}
The URL is given encoded, as on the wire: botocore's S3 signer does not re-encode the path.
Run with Debian's /usr/bin/python3: that is the interpreter python3-botocore installs into.
"""
import datetime
import json
import sys
import types

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def main():
    spec = json.load(sys.stdin)
    fixed = datetime.datetime.strptime(spec["amz_date"], "%Y%m%dT%H%M%SZ")

    # botocore reads the clock itself (datetime.datetime.utcnow() in add_auth): pin it, so both
    # signers sign for the same instant.
    class fixed_datetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed

    botocore.auth.datetime = types.SimpleNamespace(datetime=fixed_datetime)

    request = AWSRequest(
        method=spec["method"],
        url=spec["url"],
        headers=dict(spec["headers"]),  # no repeated headers in the store's requests
        data=bytes.fromhex(spec.get("payload_hex", "")),
    )
    if spec.get("unsigned_payload"):
        # The explicit switch botocore's S3 signer honours over any transport (see
        # S3SigV4Auth._should_sha256_sign_payload).
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    credentials = Credentials(spec["access_key_id"], spec["secret_access_key"])
    botocore.auth.S3SigV4Auth(credentials, "s3", spec["region"]).add_auth(request)
    print(request.headers["Authorization"])


if __name__ == "__main__":
    main()
