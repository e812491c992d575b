"""Drives PyPI's georeport (an independent, published Open311 GeoReport v2 client) against a
running shiyu, in both formats, and prints what it read as JSON for the Rust test to compare.

    python open311_client.py BASE_URL SERVICE_CODE REQUEST_ID
"""
import json
import sys

from georeport import GeoReport


def as_list(v):
    # xmltodict gives a dict for one child and a list for several.
    return v if isinstance(v, list) else [v]


def main():
    base, code, number = sys.argv[1:4]
    out = {}
    for fmt in ("json", "xml"):
        client = GeoReport(base, output_format=fmt)
        services = as_list(client.get_service_list())
        definition = client.get_service_definition(code)
        attributes = definition["attributes"]
        if fmt == "xml":
            attributes = as_list(attributes["attribute"])
        requests = as_list(client.get_service_requests(service_code=code, status="open"))
        by_id = as_list(client.get_service_requests(service_request_id=number))
        one = client.get_service_request(number)
        if fmt == "xml":
            one = as_list(one)[0]
        out[fmt] = {
            "services": [s["service_code"] for s in services],
            "metadata": [str(s["metadata"]).lower() for s in services if s["service_code"] == code],
            "definition_code": definition["service_code"],
            "attributes": [a["code"] for a in attributes],
            "open_requests": [r["service_request_id"] for r in requests],
            "by_id": [r["service_request_id"] for r in by_id],
            "one": {k: (str(one[k]) if one.get(k) is not None else None) for k in
                    ("service_request_id", "status", "service_code", "requested_datetime", "address_id")},
        }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
