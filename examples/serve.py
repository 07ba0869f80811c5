"""Serve the bookstore demo with uvicorn on 127.0.0.1:8000 (``make demo``)."""

from __future__ import annotations

import ipaddress
import logging

import uvicorn

HOST, PORT = "127.0.0.1", 8000
# The Playground is for loopback binds only: on any other address the plain bookstore runs.
PLAYGROUND = ipaddress.ip_address(HOST).is_loopback


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    base = f"http://{HOST}:{PORT}"
    print("gati bookstore demo")
    print(f"  list books    GET    {base}/books?limit=10")
    print(f"  add a book    POST   {base}/books          (header X-API-Key: demo-key)")
    print(f"  one book      GET    {base}/books/1")
    print(f"  replace       PUT    {base}/books/1        (header X-API-Key: demo-key)")
    print(f"  delete        DELETE {base}/books/1        (header X-API-Key: demo-key)")
    print(f"  stats         GET    {base}/stats")
    print(f"  a customer    GET    {base}/customers/1   (Gati-Version: 2025-01-01: old shape)")
    if PLAYGROUND:
        print(f"  who am I      GET    {base}/whoami         (header X-Visitor: ann)")
        print(f"  Playground           {base}/_gati/")
    target = "examples.playground_demo:app" if PLAYGROUND else "examples.bookstore:app"
    uvicorn.run(target, host=HOST, port=PORT, log_level="info")


if __name__ == "__main__":
    main()
