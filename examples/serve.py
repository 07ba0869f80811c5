"""Serve the bookstore demo with uvicorn on 127.0.0.1:8000 (``make demo``)."""

from __future__ import annotations

import logging

import uvicorn

HOST, PORT = "127.0.0.1", 8000


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
    uvicorn.run("examples.bookstore:app", host=HOST, port=PORT, log_level="info")


if __name__ == "__main__":
    main()
