"""A loopback TCP proxy in front of the sandbox that can make AWS hang, or go away.

``forward``: bytes go both ways. ``hang``: connections are accepted and requests read, but
nothing is ever answered (an AWS endpoint that stopped responding, or a black-holed route);
connections already open hang too. Back to ``forward``, new requests are answered again.
``stop()``: every connection closed and new ones refused (AWS gone); a new proxy on the same
port is AWS back at its address.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlparse

FORWARD, HANG = "forward", "hang"
BUFFER = 65536


class ToggleProxy:
    """``port``: 0 for a free one, or the port of a proxy stopped earlier (AWS back at the
    same address)."""

    def __init__(self, upstream: str, port: int = 0) -> None:
        parsed = urlparse(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.mode = FORWARD
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self.port: int = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self.held = 0  # requests swallowed while hanging

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ToggleProxy:
        self._listener.listen(64)
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._track(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            while not self._stopped.is_set():
                data = client.recv(BUFFER)
                if not data:
                    return
                if self.mode == HANG:
                    self.held += 1
                    continue  # read and never answer
                if upstream is None:
                    upstream = socket.create_connection(self.upstream, timeout=30)
                    self._track(upstream)
                    threading.Thread(
                        target=self._pipe, args=(upstream, client), daemon=True
                    ).start()
                upstream.sendall(data)
        except OSError:
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while True:
                data = source.recv(BUFFER)
                if not data:
                    break
                if self.mode == HANG:
                    continue  # an answer already on its way is lost as well
                target.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_RDWR)
