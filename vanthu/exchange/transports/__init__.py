"""Transport adapters of the exchange: bytes in, bytes out. They never query the ORM or call an action; the
exchange's carriers (`exchange/carriers.py`) and jobs call them. A new kind (VDXP, an X-Road security server)
is one more module here beside `http.py` and `bundle.py` (see docs/exchange.md)."""
