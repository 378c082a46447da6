"""A local web page for shiftnet: predict, look at spectra, assign — ``shiftnet serve``.

Needs the ``web`` extra (``pip install shiftnet[web]``: FastAPI, uvicorn, python-multipart,
plotly). :func:`serve` runs the page; :func:`create_app` builds the ASGI application.
"""

from __future__ import annotations

import ipaddress

__all__ = ["serve", "create_app"]


def create_app(limits=None):
    """The FastAPI application with ``limits`` (a :class:`shiftnet.web.app.Limits`; None for the
    defaults: 50 MB uploads, 60 s per request, 4 computations at a time)."""
    from .app import Limits, create_app as build

    return build(limits or Limits())


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the page on ``http://host:port`` until interrupted (Ctrl+C).

    Binds to the loopback interface unless another ``host`` is given; the page has no login, so
    anyone who can reach another address can use it. The shift models are loaded before the
    first request is answered; each computation uses one torch thread (requests run side by
    side instead).
    """
    try:
        import uvicorn
    except ImportError:
        raise SystemExit("shiftnet serve needs the web extra: pip install 'shiftnet[web]'") from None
    import torch

    torch.set_num_threads(1)
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    if not _is_loopback(host):
        print(f"shiftnet serve: warning: listening on {host}, reachable from other machines; the page has no login")
    print(f"shiftnet serve: {url} (loading the models; Ctrl+C stops)", flush=True)
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
